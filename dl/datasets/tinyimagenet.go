package datasets

// The Tiny-ImageNet directory layout of the book's notebook 4.5, which cannot be
// downloaded here: WriteTinyImageNet writes such a tree from MNIST or Fashion-MNIST images
// so that the notebook has real files to read, and ReadTinyImageNet lists any tree in that
// layout:
//
//	wnids.txt                        one class id per line
//	words.txt                        "<id>\t<words>" per class
//	train/<id>/images/<id>_<k>.JPEG  training images
//	train/<id>/<id>_boxes.txt        "<file>\t<x0>\t<y0>\t<x1>\t<y1>" per training image
//	val/images/val_<k>.JPEG          validation images
//	val/val_annotations.txt          "<file>\t<id>\t<x0>\t<y0>\t<x1>\t<y1>" per image

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"godl.dev/godl/dl/images"
)

// TinyImageNet lists the files of a Tiny-ImageNet tree.
type TinyImageNet struct {
	IDs         []string          // the class ids of wnids.txt, in order; label i is IDs[i]
	Words       map[string]string // each id's words, from words.txt
	TrainPaths  []string
	TrainLabels []int
	ValPaths    []string
	ValLabels   []int
}

// TinyImageNetID returns the fake 9-character class id WriteTinyImageNet gives label:
// "n" and eight digits, as ImageNet's WordNet ids look (label 3 is n00000003).
func TinyImageNetID(label int) string { return fmt.Sprintf("n%08d", label) }

// WriteTinyImageNet writes s's images into a Tiny-ImageNet tree under dir: for each label
// present, its first trainPerClass samples (in s's order) go to train/ and the next
// valPerClass to val/, as JPEG files. classNames[label], when given, is the label's
// words; else the words are "class <label>".
func WriteTinyImageNet(dir string, s *Split, classNames []string, trainPerClass, valPerClass int) error {
	labels := s.Y.Ints()
	seen := map[int]int{}
	var order []int
	for _, l := range labels {
		if _, ok := seen[l]; !ok {
			order = append(order, l)
		}
		seen[l] = 0
	}
	sort.Ints(order)
	if err := os.MkdirAll(filepath.Join(dir, "val", "images"), 0o755); err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	var wnids, words, val strings.Builder
	boxes := map[int]*strings.Builder{}
	for _, l := range order {
		id := TinyImageNetID(l)
		name := fmt.Sprintf("class %d", l)
		if l < len(classNames) {
			name = classNames[l]
		}
		fmt.Fprintf(&wnids, "%s\n", id)
		fmt.Fprintf(&words, "%s\t%s\n", id, name)
		if err := os.MkdirAll(filepath.Join(dir, "train", id, "images"), 0o755); err != nil {
			return fmt.Errorf("datasets: %w", err)
		}
		boxes[l] = &strings.Builder{}
	}
	h, w := s.X.Dim(1), s.X.Dim(2)
	nVal := 0
	for i, l := range labels {
		k := seen[l]
		if k >= trainPerClass+valPerClass {
			continue
		}
		seen[l]++
		img := s.X.Index(i)
		if img.Rank() == 2 {
			img = img.ExpandDims(-1)
		}
		id := TinyImageNetID(l)
		var path string
		if k < trainPerClass {
			file := fmt.Sprintf("%s_%d.JPEG", id, k)
			path = filepath.Join(dir, "train", id, "images", file)
			fmt.Fprintf(boxes[l], "%s\t0\t0\t%d\t%d\n", file, w-1, h-1)
		} else {
			file := fmt.Sprintf("val_%d.JPEG", nVal)
			nVal++
			path = filepath.Join(dir, "val", "images", file)
			fmt.Fprintf(&val, "%s\t%s\t0\t0\t%d\t%d\n", file, id, w-1, h-1)
		}
		if err := images.Save(path, img); err != nil {
			return err
		}
	}
	files := map[string]string{
		"wnids.txt": wnids.String(),
		"words.txt": words.String(),
		filepath.Join("val", "val_annotations.txt"): val.String(),
	}
	for _, l := range order {
		id := TinyImageNetID(l)
		files[filepath.Join("train", id, id+"_boxes.txt")] = boxes[l].String()
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return fmt.Errorf("datasets: %w", err)
		}
	}
	return nil
}

// ReadTinyImageNet lists a Tiny-ImageNet tree: the ids of wnids.txt, their words, the
// training images of each id (sorted by name) and the validation images with the labels
// of val_annotations.txt. Errors name the file at fault.
func ReadTinyImageNet(dir string) (*TinyImageNet, error) {
	t := &TinyImageNet{Words: map[string]string{}}
	label := map[string]int{}
	err := eachLine(filepath.Join(dir, "wnids.txt"), func(fields []string) error {
		label[fields[0]] = len(t.IDs)
		t.IDs = append(t.IDs, fields[0])
		return nil
	})
	if err != nil {
		return nil, err
	}
	// words.txt is optional; in the real data set it lists every ImageNet id.
	_ = eachLine(filepath.Join(dir, "words.txt"), func(fields []string) error {
		if _, ok := label[fields[0]]; ok && len(fields) > 1 {
			t.Words[fields[0]] = fields[1]
		}
		return nil
	})
	for i, id := range t.IDs {
		d := filepath.Join(dir, "train", id, "images")
		entries, err := os.ReadDir(d)
		if err != nil {
			return nil, fmt.Errorf("datasets: Tiny-ImageNet: %w", err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				t.TrainPaths = append(t.TrainPaths, filepath.Join(d, e.Name()))
				t.TrainLabels = append(t.TrainLabels, i)
			}
		}
	}
	ann := filepath.Join(dir, "val", "val_annotations.txt")
	err = eachLine(ann, func(fields []string) error {
		if len(fields) < 2 {
			return fmt.Errorf("want <file>\\t<id>, got %q", strings.Join(fields, "\t"))
		}
		l, ok := label[fields[1]]
		if !ok {
			return fmt.Errorf("id %s is not in wnids.txt", fields[1])
		}
		t.ValPaths = append(t.ValPaths, filepath.Join(dir, "val", "images", fields[0]))
		t.ValLabels = append(t.ValLabels, l)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// eachLine calls fn with the tab-separated fields of each non-empty line of path; errors
// name the file and line.
func eachLine(path string, fn func(fields []string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("datasets: Tiny-ImageNet: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if err := fn(strings.Split(line, "\t")); err != nil {
			return fmt.Errorf("datasets: %s:%d: %w", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("datasets: reading %s: %w", path, err)
	}
	return nil
}
