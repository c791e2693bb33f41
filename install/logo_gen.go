//go:build ignore

// logo_gen draws the godl logo (a small neural network in white on Go's cyan) as
// resources/logo-32x32.png, resources/logo-64x64.png and resources/logo-svg.svg.
// Run it with go generate ./install.
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"strings"
)

var (
	cyan  = color.NRGBA{0x00, 0xAD, 0xD8, 0xFF}
	white = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
)

// The design on a 64-unit square: a rounded square, and a 3-4-2 network of nodes joined
// by edges.
const (
	unit   = 64.0
	corner = 12.0
	nodeR  = 4.5
	edgeW  = 1.6
)

func layers() [][][2]float64 {
	col := func(x float64, n int) [][2]float64 {
		var pts [][2]float64
		for i := range n {
			y := unit/2 + (float64(i)-float64(n-1)/2)*13
			pts = append(pts, [2]float64{x, y})
		}
		return pts
	}
	return [][][2]float64{col(15, 3), col(32, 4), col(49, 2)}
}

// shade returns the colour at (x, y) in design units.
func shade(x, y float64) color.NRGBA {
	// Outside the rounded square: transparent.
	dx := math.Max(math.Max(corner-x, x-(unit-corner)), 0)
	dy := math.Max(math.Max(corner-y, y-(unit-corner)), 0)
	if dx*dx+dy*dy > corner*corner {
		return color.NRGBA{}
	}
	ls := layers()
	for _, l := range ls {
		for _, p := range l {
			if math.Hypot(x-p[0], y-p[1]) <= nodeR {
				return white
			}
		}
	}
	for i := 0; i+1 < len(ls); i++ {
		for _, a := range ls[i] {
			for _, b := range ls[i+1] {
				if segDist(x, y, a, b) <= edgeW/2 {
					return white
				}
			}
		}
	}
	return cyan
}

func segDist(x, y float64, a, b [2]float64) float64 {
	vx, vy := b[0]-a[0], b[1]-a[1]
	t := ((x-a[0])*vx + (y-a[1])*vy) / (vx*vx + vy*vy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(x-(a[0]+t*vx), y-(a[1]+t*vy))
}

// render draws the logo at size×size pixels with 4×4 supersampling.
func render(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	for py := range size {
		for px := range size {
			var r, g, b, a float64
			for sy := range ss {
				for sx := range ss {
					x := (float64(px) + (float64(sx)+0.5)/ss) * unit / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/ss) * unit / float64(size)
					c := shade(x, y)
					fa := float64(c.A) / 255
					r += float64(c.R) * fa
					g += float64(c.G) * fa
					b += float64(c.B) * fa
					a += fa
				}
			}
			if a > 0 {
				img.SetNRGBA(px, py, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(a / ss / ss * 255)})
			}
		}
	}
	return img
}

func svg() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">`+"\n")
	fmt.Fprintf(&b, `<rect width="64" height="64" rx="%g" fill="#00ADD8"/>`+"\n", corner)
	fmt.Fprintf(&b, `<g stroke="#FFFFFF" stroke-width="%g">`+"\n", edgeW)
	ls := layers()
	for i := 0; i+1 < len(ls); i++ {
		for _, a := range ls[i] {
			for _, c := range ls[i+1] {
				fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g"/>`+"\n", a[0], a[1], c[0], c[1])
			}
		}
	}
	b.WriteString("</g>\n<g fill=\"#FFFFFF\">\n")
	for _, l := range ls {
		for _, p := range l {
			fmt.Fprintf(&b, `<circle cx="%g" cy="%g" r="%g"/>`+"\n", p[0], p[1], nodeR)
		}
	}
	b.WriteString("</g>\n</svg>\n")
	return b.String()
}

func main() {
	for _, size := range []int{32, 64} {
		f, err := os.Create(fmt.Sprintf("resources/logo-%dx%d.png", size, size))
		if err != nil {
			log.Fatal(err)
		}
		if err := png.Encode(f, render(size)); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
	if err := os.WriteFile("resources/logo-svg.svg", []byte(svg()), 0o644); err != nil {
		log.Fatal(err)
	}
}
