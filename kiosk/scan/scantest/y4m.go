package scantest

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
)

// WriteY4M writes frames as an uncompressed YUV4MPEG2 video at 30 frames a
// second, the format Chromium's fake camera reads
// (--use-file-for-fake-video-capture=FILE.y4m). The luma plane carries the
// picture and both chroma planes are a flat 128, so the camera delivers a
// gray image; colour does not matter to the decoder. All frames must have
// the same size as the first; Chromium loops the file, so a file whose frames
// all show the badge keeps the badge continuously in view.
func WriteY4M(w io.Writer, frames []image.Image) error {
	if len(frames) == 0 {
		return errors.New("scantest: y4m: no frames")
	}
	b0 := frames[0].Bounds()
	width, height := b0.Dx(), b0.Dy()
	if width <= 0 || height <= 0 {
		return fmt.Errorf("scantest: y4m: empty frame %dx%d", width, height)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	// C420jpeg: 4:2:0 with JPEG (full range, centred) chroma siting, which
	// is what Chromium's parser accepts without conversion.
	if _, err := fmt.Fprintf(bw, "YUV4MPEG2 W%d H%d F30:1 Ip A1:1 C420jpeg\n", width, height); err != nil {
		return fmt.Errorf("scantest: y4m header: %w", err)
	}
	luma := make([]byte, width*height)
	chroma := make([]byte, ((width+1)/2)*((height+1)/2))
	for i := range chroma {
		chroma[i] = 128
	}
	for i, f := range frames {
		b := f.Bounds()
		if b.Dx() != width || b.Dy() != height {
			return fmt.Errorf("scantest: y4m: frame %d is %dx%d, want %dx%d", i, b.Dx(), b.Dy(), width, height)
		}
		for y := 0; y < height; y++ {
			for x := 0; x < width; x++ {
				luma[y*width+x] = color.GrayModel.Convert(f.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
			}
		}
		if _, err := bw.WriteString("FRAME\n"); err != nil {
			return fmt.Errorf("scantest: y4m frame %d: %w", i, err)
		}
		if _, err := bw.Write(luma); err != nil {
			return fmt.Errorf("scantest: y4m frame %d: %w", i, err)
		}
		for plane := 0; plane < 2; plane++ {
			if _, err := bw.Write(chroma); err != nil {
				return fmt.Errorf("scantest: y4m frame %d: %w", i, err)
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("scantest: y4m: %w", err)
	}
	return nil
}
