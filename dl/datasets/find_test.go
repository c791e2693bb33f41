package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"godl.dev/godl/dl"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// fakeSource returns a source of four small files whose checksums are pinned, with every
// place but the ones a test sets pointing at empty folders.
func fakeSource(t *testing.T, contents [4][]byte) *source {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOPATH", t.TempDir())
	t.Setenv("FAKE_DIR", "")
	s := &source{name: "Fake", env: "FAKE_DIR", cacheSub: "fake", module: "example.com/fake@v1.0.0", noGo: true}
	for i, c := range contents {
		s.files[i] = fileSpec{name: []string{"a.gz", "b.gz", "c.gz", "d.gz"}[i], sha256: sha(c)}
	}
	return s
}

func writeFiles(t *testing.T, dir string, s *source, contents [4][]byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, f := range s.files {
		if err := os.WriteFile(filepath.Join(dir, f.name), contents[i], 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var fakeContents = [4][]byte{[]byte("one"), []byte("two"), []byte("three"), []byte("four")}

func TestFindOrder(t *testing.T) {
	tests := []struct {
		desc  string
		place func(t *testing.T, s *source) string // puts the files somewhere, returns the folder
	}{
		{"environment variable", func(t *testing.T, s *source) string {
			d := t.TempDir()
			t.Setenv("FAKE_DIR", d)
			return d
		}},
		{"cache", func(t *testing.T, s *source) string {
			d, _ := s.cacheDir()
			return d
		}},
		{"module cache", func(t *testing.T, s *source) string {
			return filepath.Join(os.Getenv("GOMODCACHE"), "example.com", "fake@v1.0.0", "data")
		}},
		{"system folder", func(t *testing.T, s *source) string {
			s.system = t.TempDir()
			return s.system
		}},
	}
	for _, tc := range tests {
		s := fakeSource(t, fakeContents)
		want := tc.place(t, s)
		writeFiles(t, want, s, fakeContents)
		b, dir, err := s.find("")
		if err != nil || dir != want || string(b[2]) != "three" {
			t.Errorf("%s: got %q, %q, %v; want the files from %s", tc.desc, b, dir, err, want)
		}
	}
}

func TestFindErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()

	s := fakeSource(t, fakeContents)
	s.mirrors = []string{srv.URL + "/"}
	_, _, err := s.find("")
	for _, want := range []string{"Fake not found", "$FAKE_DIR (not set)", "cache ", "Go module cache", "404", "To fix", "go mod download example.com/fake@v1.0.0"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("nothing anywhere: error %v, want it to contain %q", err, want)
		}
	}

	dir := t.TempDir()
	if _, _, err := s.find(dir); err == nil || !strings.Contains(err.Error(), "not found in "+dir) {
		t.Errorf("explicit empty folder: error %v", err)
	}

	// One file of four: an error naming a missing file, not a search elsewhere.
	os.WriteFile(filepath.Join(dir, "a.gz"), fakeContents[0], 0o644)
	if _, _, err := s.find(dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "b.gz")) {
		t.Errorf("partial folder: error %v, want one naming b.gz", err)
	}

	// A truncated file found through the environment variable.
	writeFiles(t, dir, s, fakeContents)
	os.WriteFile(filepath.Join(dir, "c.gz"), []byte("thr"), 0o644)
	t.Setenv("FAKE_DIR", dir)
	if _, _, err := s.find(""); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "c.gz")+" is truncated or corrupt") {
		t.Errorf("truncated file: error %v", err)
	}
}

func TestLoadWrongMagic(t *testing.T) {
	bad := [4][]byte{{1, 2, 3, 4, 0, 0, 0, 0}, idx([]uint32{1}, []byte{1}), idx([]uint32{1, 28, 28}, make([]byte, 784)), idx([]uint32{1}, []byte{1})}
	s := fakeSource(t, bad)
	dir := t.TempDir()
	writeFiles(t, dir, s, bad)
	if _, _, err := s.load(dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "a.gz")+": not an IDX file") {
		t.Errorf("wrong magic: error %v", err)
	}
	// Well-formed files of the wrong size are not a data set either.
	bad[0] = idx([]uint32{1, 28, 28}, make([]byte, 784))
	s = fakeSource(t, bad)
	writeFiles(t, dir, s, bad)
	if _, _, err := s.load(dir); err == nil || !strings.Contains(err.Error(), "want [60000 28 28]") {
		t.Errorf("wrong size: error %v", err)
	}
}

func TestDownload(t *testing.T) {
	var hits int
	good := http.NewServeMux()
	for i, name := range []string{"a.gz", "b.gz", "c.gz", "d.gz"} {
		good.HandleFunc("/"+name, func(w http.ResponseWriter, r *http.Request) {
			hits++
			w.Write(fakeContents[i])
		})
	}
	goodSrv := httptest.NewServer(good)
	defer goodSrv.Close()
	corruptSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("garbage"))
	}))
	defer corruptSrv.Close()

	s := fakeSource(t, fakeContents)
	s.mirrors = []string{corruptSrv.URL + "/", goodSrv.URL + "/"}
	b, dir, err := s.find("")
	cache, _ := s.cacheDir()
	if err != nil || dir != cache || string(b[3]) != "four" || hits != 4 {
		t.Fatalf("download: %q, %q, %v after %d requests", b, dir, err, hits)
	}
	for i, f := range s.files {
		got, err := os.ReadFile(filepath.Join(cache, f.name))
		if err != nil || string(got) != string(fakeContents[i]) {
			t.Errorf("cached %s: %q, %v", f.name, got, err)
		}
	}
	// The second load reads the cache.
	if _, dir, err := s.find(""); err != nil || dir != cache || hits != 4 {
		t.Errorf("second load: %q, %v after %d requests", dir, err, hits)
	}

	// A mirror serving corrupt files only: an error naming the URL, nothing cached.
	s = fakeSource(t, fakeContents)
	s.mirrors = []string{corruptSrv.URL + "/"}
	_, _, err = s.find("")
	if err == nil || !strings.Contains(err.Error(), corruptSrv.URL+"/a.gz is truncated or corrupt") {
		t.Errorf("corrupt mirror: error %v", err)
	}
	cache, _ = s.cacheDir()
	if _, err := os.Stat(cache); !os.IsNotExist(err) {
		t.Errorf("corrupt mirror: cache folder %s exists (%v)", cache, err)
	}
}

func loadReal(t *testing.T, load func(string) (*Split, *Split, error)) (train, test *Split) {
	t.Helper()
	train, test, err := load("")
	if err != nil {
		t.Fatal(err)
	}
	return train, test
}

func TestMNISTCountsAndSplits(t *testing.T) {
	train, test := loadReal(t, LoadMNIST)
	lo, hi := train.SplitLabels(5)
	tlo, thi := test.SplitLabels(5)
	if lo.Len() != 30596 || hi.Len() != 29404 || tlo.Len() != 5139 || thi.Len() != 4861 {
		t.Errorf("0–4 / 5–9 counts: train %d / %d, test %d / %d; want 30596 / 29404, 5139 / 4861",
			lo.Len(), hi.Len(), tlo.Len(), thi.Len())
	}
	// The first 5–9 training samples are train[0] (a 5) and train[4] (a 9).
	if !equalBytes(hi.X.Index(1).Uint8s(), train.X.Index(4).Uint8s()) || hi.Y.Ints()[1] != 9 {
		t.Errorf("SplitLabels does not keep the order")
	}
	if got := hi.OffsetLabels(-5).Y.Ints()[:2]; got[0] != 0 || got[1] != 4 {
		t.Errorf("OffsetLabels(-5) gives %v, want [0 4]", got)
	}
	if c := hi.Counts(); len(c) != 10 || c[0] != 0 || c[5] != 5421 {
		t.Errorf("counts of 5–9: %v", c)
	}
	if f := train.FilterLabels(0, 1); f.Len() != 5923+6742 {
		t.Errorf("FilterLabels(0, 1): %d samples, want %d", f.Len(), 5923+6742)
	}
	if s := train.Take(200); s.Len() != 200 || !equalBytes(s.X.Index(199).Uint8s(), train.X.Index(199).Uint8s()) {
		t.Errorf("Take(200): %v", s)
	}
}

func TestFashionMNIST(t *testing.T) {
	train, test := loadReal(t, LoadFashionMNIST)
	if !train.X.HasShape(60000, 28, 28) || !test.X.HasShape(10000, 28, 28) {
		t.Fatalf("shapes %v %v", train.X.Shape(), test.X.Shape())
	}
	for i, c := range train.Counts() {
		if c != 6000 || test.Counts()[i] != 1000 {
			t.Errorf("class %d (%s): %d training and %d test samples, want 6000 and 1000", i, FashionMNISTClasses[i], c, test.Counts()[i])
		}
	}
	// The first labels, as keras.datasets.fashion_mnist gives them.
	if got := train.Y.Ints()[:5]; got[0] != 9 || got[1] != 0 || got[2] != 0 || got[3] != 3 || got[4] != 0 {
		t.Errorf("first training labels %v, want [9 0 0 3 0]", got)
	}
	if got := test.Y.Ints()[:3]; got[0] != 9 || got[1] != 2 || got[2] != 1 {
		t.Errorf("first test labels %v, want [9 2 1]", got)
	}
}

func TestPinnedChecksumsMatchTheRealFiles(t *testing.T) {
	for _, s := range []*source{mnistSource, fashionSource} {
		files, dir, err := s.find("")
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range s.files {
			if sha(files[i]) != f.sha256 {
				t.Errorf("%s: %s", dir, f.name)
			}
		}
	}
}

func equalBytes(a, b []byte) bool { return string(a) == string(b) }

// A loaded MNIST holds its uint8 pixels and labels and nothing more: the compressed files
// are not kept.
func TestMNISTMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	train, test := loadReal(t, LoadMNIST)
	runtime.GC()
	runtime.ReadMemStats(&after)
	want := (TrainSize + TestSize) * (28*28 + 1)
	// io.ReadAll leaves some spare capacity: allow 64 KiB.
	if train.X.DType() != dl.Uint8 || cap(train.X.Uint8s()) > TrainSize*28*28+64<<10 || cap(test.Y.Uint8s()) > TestSize+64<<10 {
		t.Errorf("storage: %v, capacities %d and %d", train.X.DType(), cap(train.X.Uint8s()), cap(test.Y.Uint8s()))
	}
	if got := int64(after.HeapAlloc) - int64(before.HeapAlloc); got > int64(want)+2<<20 {
		t.Errorf("the loaded data set holds %.1f MB, want about %.1f MB", float64(got)/1e6, float64(want)/1e6)
	}
	runtime.KeepAlive(train)
	runtime.KeepAlive(test)
}
