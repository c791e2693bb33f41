// Package images provides image operations in the manner of tf.image: dtype conversion,
// resizing, flips, brightness and saturation changes, crops and padding, and their random
// versions for data augmentation, deterministic under a seed.
//
// Images are NHWC as in Keras: one image is [H, W, C], a batch is [N, H, W, C]; every
// operation accepts both and returns a new float32 tensor (uint8 inputs are read as their
// values 0..255; ConvertImageDtype scales them to [0, 1] first, as the book's pipelines do).
//
//	img := images.ConvertImageDtype(x)            // uint8 [28 28 1] → float32 in [0, 1]
//	img = images.Resize(img, 32, 32, images.Bilinear)
//	r := images.NewRandom(42)
//	img = r.FlipLeftRight(r.Brightness(img, 0.1))
package images

import (
	"fmt"
	"math"

	"godl.dev/godl/dl"
)

// Method is a resizing method.
type Method int

const (
	// Bilinear interpolates between the four nearest pixels (tf.image.resize's default).
	Bilinear Method = iota
	// Nearest takes the nearest pixel.
	Nearest
)

func (m Method) String() string {
	if m == Nearest {
		return "nearest"
	}
	return "bilinear"
}

// geometry returns the batch size, height, width and channels of an image or a batch, and
// panics with a message naming op for any other rank.
func geometry(op string, t *dl.Tensor) (n, h, w, c int) {
	switch t.Rank() {
	case 3:
		return 1, t.Dim(0), t.Dim(1), t.Dim(2)
	case 4:
		return t.Dim(0), t.Dim(1), t.Dim(2), t.Dim(3)
	}
	panic(fmt.Errorf("images: %s: want an image [H W C] or a batch [N H W C], got shape %v", op, t.Shape()))
}

// shaped returns a float32 tensor [n h w c], or [h w c] when like is a single image.
func shaped(like *dl.Tensor, n, h, w, c int) *dl.Tensor {
	if like.Rank() == 3 {
		return dl.Zeros(h, w, c)
	}
	return dl.Zeros(n, h, w, c)
}

// ConvertImageDtype returns img as float32 in [0, 1], as tf.image.convert_image_dtype(img,
// tf.float32): uint8 values are divided by 255; a float32 image is returned as a copy.
func ConvertImageDtype(img *dl.Tensor) *dl.Tensor {
	switch img.DType() {
	case dl.Uint8:
		return img.DivScalar(255).Clone()
	case dl.Float32:
		return img.Clone()
	}
	panic(fmt.Errorf("images: ConvertImageDtype: want a uint8 or float32 image, got %v", img.DType()))
}

// Resize returns img resized to height × width, as tf.image.resize (TF 2, with half-pixel
// centres): output pixel (y, x) samples the input at ((y+0.5)·H/height − 0.5, …) with
// Bilinear, and the pixel containing ((y+0.5)·H/height, …) with Nearest.
func Resize(img *dl.Tensor, height, width int, method Method) *dl.Tensor {
	n, h, w, c := geometry("Resize", img)
	if height < 1 || width < 1 {
		panic(fmt.Errorf("images: Resize: size %d×%d must be positive", height, width))
	}
	src := img.Float32s()
	out := shaped(img, n, height, width, c)
	dst := out.Data()
	sy, sx := float64(h)/float64(height), float64(w)/float64(width)
	for b := range n {
		in := src[b*h*w*c : (b+1)*h*w*c]
		o := dst[b*height*width*c : (b+1)*height*width*c]
		for y := range height {
			for x := range width {
				p := o[(y*width+x)*c : (y*width+x+1)*c]
				if method == Nearest {
					iy := min(int(math.Floor((float64(y)+0.5)*sy)), h-1)
					ix := min(int(math.Floor((float64(x)+0.5)*sx)), w-1)
					copy(p, in[(iy*w+ix)*c:(iy*w+ix+1)*c])
					continue
				}
				y0, y1, fy := lerpIndex(y, sy, h)
				x0, x1, fx := lerpIndex(x, sx, w)
				for k := range c {
					top := float64(in[(y0*w+x0)*c+k])*(1-fx) + float64(in[(y0*w+x1)*c+k])*fx
					bot := float64(in[(y1*w+x0)*c+k])*(1-fx) + float64(in[(y1*w+x1)*c+k])*fx
					p[k] = float32(top*(1-fy) + bot*fy)
				}
			}
		}
	}
	return out
}

// lerpIndex returns the two input indices around output index i and the weight of the
// second, with half-pixel centres, clamped to the input.
func lerpIndex(i int, scale float64, size int) (lo, hi int, frac float64) {
	f := (float64(i)+0.5)*scale - 0.5
	fl := math.Floor(f)
	lo = max(int(fl), 0)
	hi = min(int(math.Ceil(f)), size-1)
	return min(lo, size-1), max(hi, 0), f - fl
}

// FlipLeftRight returns img mirrored horizontally, as tf.image.flip_left_right.
func FlipLeftRight(img *dl.Tensor) *dl.Tensor {
	n, h, w, c := geometry("FlipLeftRight", img)
	src := img.Float32s()
	out := shaped(img, n, h, w, c)
	dst := out.Data()
	for r := range n * h {
		for x := range w {
			copy(dst[(r*w+x)*c:(r*w+x+1)*c], src[(r*w+w-1-x)*c:(r*w+w-x)*c])
		}
	}
	return out
}

// AdjustBrightness returns img + delta, as tf.image.adjust_brightness (values are not
// clipped).
func AdjustBrightness(img *dl.Tensor, delta float64) *dl.Tensor {
	geometry("AdjustBrightness", img)
	return img.AsFloat32().AddScalar(delta).Detach()
}

// AdjustSaturation returns the RGB img with each pixel's saturation multiplied by factor
// (and limited to [0, 1]) in HSV space, as tf.image.adjust_saturation. img must have 3
// channels.
func AdjustSaturation(img *dl.Tensor, factor float64) *dl.Tensor {
	n, h, w, c := geometry("AdjustSaturation", img)
	if c != 3 {
		panic(fmt.Errorf("images: AdjustSaturation: want 3 channels (RGB), got shape %v", img.Shape()))
	}
	src := img.Float32s()
	out := shaped(img, n, h, w, c)
	dst := out.Data()
	for i := 0; i < len(src); i += 3 {
		hh, s, v := RGBToHSV(float64(src[i]), float64(src[i+1]), float64(src[i+2]))
		r, g, b := HSVToRGB(hh, min(max(s*factor, 0), 1), v)
		dst[i], dst[i+1], dst[i+2] = float32(r), float32(g), float32(b)
	}
	return out
}

// RGBToHSV converts one pixel to hue, saturation and value, each in [0, 1] for inputs in
// [0, 1], as tf.image.rgb_to_hsv (hue 0 is red, 1/3 green, 2/3 blue).
func RGBToHSV(r, g, b float64) (h, s, v float64) {
	v = max(r, g, b)
	d := v - min(r, g, b)
	if v > 0 {
		s = d / v
	}
	if d == 0 {
		return 0, s, v
	}
	switch v {
	case r:
		h = (g - b) / d
	case g:
		h = 2 + (b-r)/d
	default:
		h = 4 + (r-g)/d
	}
	h /= 6
	if h < 0 {
		h++
	}
	return h, s, v
}

// HSVToRGB is the inverse of RGBToHSV.
func HSVToRGB(h, s, v float64) (r, g, b float64) {
	h6 := math.Mod(h, 1) * 6
	if h6 < 0 {
		h6 += 6
	}
	i := math.Floor(h6)
	f := h6 - i
	p, q, t := v*(1-s), v*(1-s*f), v*(1-s*(1-f))
	switch int(i) % 6 {
	case 0:
		return v, t, p
	case 1:
		return q, v, p
	case 2:
		return p, v, t
	case 3:
		return p, q, v
	case 4:
		return t, p, v
	}
	return v, p, q
}

// Crop returns the height × width window of img whose top-left pixel is (top, left), as
// tf.image.crop_to_bounding_box. It panics if the window leaves the image.
func Crop(img *dl.Tensor, top, left, height, width int) *dl.Tensor {
	n, h, w, c := geometry("Crop", img)
	if top < 0 || left < 0 || height < 1 || width < 1 || top+height > h || left+width > w {
		panic(fmt.Errorf("images: Crop: window %d×%d at (%d, %d) does not fit in a %d×%d image", height, width, top, left, h, w))
	}
	src := img.Float32s()
	out := shaped(img, n, height, width, c)
	dst := out.Data()
	for b := range n {
		for y := range height {
			s := ((b*h+top+y)*w + left) * c
			d := (b*height + y) * width * c
			copy(dst[d:d+width*c], src[s:s+width*c])
		}
	}
	return out
}

// CentralCrop returns the central fraction (0 < fraction ≤ 1) of img along both axes, as
// tf.image.central_crop: the window starts at (H − H·fraction)/2, rounded down, and keeps
// H − 2·start rows (likewise for the columns).
func CentralCrop(img *dl.Tensor, fraction float64) *dl.Tensor {
	_, h, w, _ := geometry("CentralCrop", img)
	if fraction <= 0 || fraction > 1 {
		panic(fmt.Errorf("images: CentralCrop: fraction %v must be in (0, 1]", fraction))
	}
	top := int((float64(h) - float64(h)*fraction) / 2)
	left := int((float64(w) - float64(w)*fraction) / 2)
	return Crop(img, top, left, h-2*top, w-2*left)
}

// Pad returns img placed at (top, left) in a zero image of height × width, as
// tf.image.pad_to_bounding_box. It panics if img does not fit.
func Pad(img *dl.Tensor, top, left, height, width int) *dl.Tensor {
	n, h, w, c := geometry("Pad", img)
	if top < 0 || left < 0 || top+h > height || left+w > width {
		panic(fmt.Errorf("images: Pad: a %d×%d image at (%d, %d) does not fit in %d×%d", h, w, top, left, height, width))
	}
	src := img.Float32s()
	out := shaped(img, n, height, width, c)
	dst := out.Data()
	for b := range n {
		for y := range h {
			s := (b*h + y) * w * c
			d := ((b*height+top+y)*width + left) * c
			copy(dst[d:d+w*c], src[s:s+w*c])
		}
	}
	return out
}
