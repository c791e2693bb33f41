package images

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"godl.dev/godl/dl"
)

// Decode reads a PNG or JPEG image from the file at path into a uint8 tensor [H, W, C], as
// tf.io.decode_image: channels 1 gives grey (ITU-R 601 luma), 3 gives RGB, and 0 keeps
// the file's own (1 for a grey or palette-of-greys image, else 3). Alpha is dropped.
func Decode(path string, channels int) (*dl.Tensor, error) {
	if channels != 0 && channels != 1 && channels != 3 {
		return nil, fmt.Errorf("images: Decode %s: channels must be 0, 1 or 3, got %d", path, channels)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	defer f.Close()
	m, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("images: decoding %s: %w (want a PNG or JPEG file)", path, err)
	}
	if channels == 0 {
		channels = 3
		if isGrey(m) {
			channels = 1
		}
	}
	b := m.Bounds()
	h, w := b.Dy(), b.Dx()
	out := make([]uint8, h*w*channels)
	for y := range h {
		for x := range w {
			i := (y*w + x) * channels
			if channels == 1 {
				out[i] = color.GrayModel.Convert(m.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
				continue
			}
			c := color.NRGBAModel.Convert(m.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			out[i], out[i+1], out[i+2] = c.R, c.G, c.B
		}
	}
	return dl.FromUint8(out, h, w, channels), nil
}

// isGrey reports whether m stores grey levels only.
func isGrey(m image.Image) bool {
	switch m := m.(type) {
	case *image.Gray, *image.Gray16:
		return true
	case *image.Paletted:
		for _, c := range m.Palette {
			r, g, b, _ := c.RGBA()
			if r != g || g != b {
				return false
			}
		}
		return true
	}
	return false
}

// Save writes img ([H, W, 1] or [H, W, 3]; uint8, or float32 in [0, 1] which is scaled by
// 255 and rounded) to path as PNG, or as JPEG (quality 95) when the name ends in .jpg or
// .jpeg (any case).
func Save(path string, img *dl.Tensor) error {
	if img.Rank() != 3 || img.Dim(2) != 1 && img.Dim(2) != 3 {
		return fmt.Errorf("images: Save %s: want an image [H W 1] or [H W 3], got shape %v", path, img.Shape())
	}
	h, w, c := img.Dim(0), img.Dim(1), img.Dim(2)
	vals := img.Float32s()
	scale := float32(1)
	if img.DType() == dl.Float32 {
		scale = 255
	}
	px := func(i int) uint8 { return uint8(min(max(vals[i]*scale+0.5, 0), 255)) }
	var m image.Image
	if c == 1 {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for i := range g.Pix {
			g.Pix[i] = px(i)
		}
		m = g
	} else {
		r := image.NewNRGBA(image.Rect(0, 0, w, h))
		for i := range h * w {
			r.Pix[4*i], r.Pix[4*i+1], r.Pix[4*i+2], r.Pix[4*i+3] = px(3*i), px(3*i+1), px(3*i+2), 255
		}
		m = r
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("images: %w", err)
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".jpg" || ext == ".jpeg" {
		err = jpeg.Encode(f, m, &jpeg.Options{Quality: 95})
	} else {
		err = png.Encode(f, m)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("images: writing %s: %w", path, err)
	}
	return nil
}

// Folder is an image tree with one sub-folder per class, as Keras's
// image_dataset_from_directory reads: root/<class>/<image>.
type Folder struct {
	Classes []string // the sub-folder names, sorted; label i is Classes[i]
	Paths   []string // every image file, class by class, sorted by name within a class
	Labels  []int    // the label of each path
}

// ListFolder lists the PNG and JPEG files of a folder-per-class tree under root. It
// returns an error naming root if it has no class folder holding an image.
func ListFolder(root string) (*Folder, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	f := &Folder{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(root, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("images: %w", err)
		}
		var names []string
		for _, fe := range files {
			switch strings.ToLower(filepath.Ext(fe.Name())) {
			case ".png", ".jpg", ".jpeg":
				if !fe.IsDir() {
					names = append(names, fe.Name())
				}
			}
		}
		sort.Strings(names)
		label := len(f.Classes)
		f.Classes = append(f.Classes, e.Name())
		for _, n := range names {
			f.Paths = append(f.Paths, filepath.Join(root, e.Name(), n))
			f.Labels = append(f.Labels, label)
		}
	}
	if len(f.Paths) == 0 {
		return nil, fmt.Errorf("images: %s holds no class folders with PNG or JPEG files (want %s/<class>/<image>.png)", root, root)
	}
	return f, nil
}

// Load decodes every image of the folder (see Decode), resizes those of another size to
// height × width (bilinear), and returns them as a uint8 tensor [N, height, width, channels]
// with their labels [N] as int32. channels must be 1 or 3.
func (f *Folder) Load(height, width, channels int) (x, y *dl.Tensor, err error) {
	if channels != 1 && channels != 3 {
		return nil, nil, fmt.Errorf("images: Folder.Load: channels must be 1 or 3, got %d", channels)
	}
	row := height * width * channels
	px := make([]uint8, len(f.Paths)*row)
	for i, p := range f.Paths {
		img, err := Decode(p, channels)
		if err != nil {
			return nil, nil, err
		}
		if img.Dim(0) != height || img.Dim(1) != width {
			img = Resize(img, height, width, Bilinear)
		}
		vals := img.Float32s()
		for j := range row {
			px[i*row+j] = uint8(min(max(vals[j]+0.5, 0), 255))
		}
	}
	return dl.FromUint8(px, len(f.Paths), height, width, channels), dl.FromInts(f.Labels, len(f.Labels)), nil
}
