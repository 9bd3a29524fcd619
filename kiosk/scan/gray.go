package scan

import (
	"image"
	"image/color"
)

// Luma weights are BT.601 scaled to 256 (77+150+29 = 256), the same weighting
// as color.GrayModel, so a frame converted here and one converted by the
// standard library binarize alike. Integer arithmetic keeps the wasm build
// fast: a 640x480 frame is 307,200 pixels and this loop is the only work done
// on every pixel of every frame.
const (
	lumaR = 77
	lumaG = 150
	lumaB = 29
)

// grow returns buf resized to n bytes, reusing its backing array when it is
// large enough so that steady-state decoding allocates nothing here.
func grow(buf []byte, n int) []byte {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]byte, n)
}

// grayFromRGBA converts width*height tightly packed RGBA pixels (the layout
// of a canvas ImageData) into dst, which must hold width*height bytes. Alpha
// is ignored: camera frames are opaque.
func grayFromRGBA(dst, pix []byte, width, height, stride int) {
	for y := 0; y < height; y++ {
		src := pix[y*stride : y*stride+width*4]
		out := dst[y*width : y*width+width]
		for x := range out {
			p := src[x*4 : x*4+3 : x*4+3]
			out[x] = byte((lumaR*uint32(p[0]) + lumaG*uint32(p[1]) + lumaB*uint32(p[2]) + 128) >> 8)
		}
	}
}

// grayFromImage converts any image into dst (width*height bytes, row-major,
// origin at the image's Min). The common concrete types get loops over
// their pixel slices; the rest go through At, which is slow but correct.
func grayFromImage(dst []byte, img image.Image) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := img.(type) {
	case *image.RGBA:
		off := m.PixOffset(b.Min.X, b.Min.Y)
		grayFromRGBA(dst, m.Pix[off:], w, h, m.Stride)
	case *image.NRGBA:
		// Opaque camera frames have identical RGBA and NRGBA bytes.
		off := m.PixOffset(b.Min.X, b.Min.Y)
		grayFromRGBA(dst, m.Pix[off:], w, h, m.Stride)
	case *image.Gray:
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(dst[y*w:(y+1)*w], m.Pix[off:off+w])
		}
	case *image.YCbCr:
		// Y already is the luminance; the chroma planes are not needed.
		for y := 0; y < h; y++ {
			off := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(dst[y*w:(y+1)*w], m.Y[off:off+w])
		}
	case *image.Paletted:
		var lut [256]byte
		for i, c := range m.Palette {
			lut[i] = color.GrayModel.Convert(c).(color.Gray).Y
		}
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			out := dst[y*w : (y+1)*w]
			for x, idx := range m.Pix[off : off+w] {
				out[x] = lut[idx]
			}
		}
	default:
		for y := 0; y < h; y++ {
			out := dst[y*w : (y+1)*w]
			for x := range out {
				out[x] = color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
			}
		}
	}
}
