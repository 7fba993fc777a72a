package tags

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"image"
	"image/color"
	_ "image/jpeg" // cover formats
	_ "image/png"
)

// cover is a downloaded cover image.
type cover struct {
	data []byte
	mime string // image/jpeg or image/png
	ext  string
}

// pictureBlock builds a FLAC METADATA_BLOCK_PICTURE (front cover), the form
// Vorbis comments carry pictures in (base64 in METADATA_BLOCK_PICTURE):
// ffmpeg 5.1 cannot mux attached pictures into Ogg, so the opus cover goes
// in this way. Layout (all big-endian u32): picture type, MIME length,
// MIME, description length, description, width, height, colour depth,
// palette size, data length, data.
func pictureBlock(c cover) ([]byte, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(c.data))
	if err != nil {
		return nil, err
	}
	depth, colors := uint32(24), uint32(0)
	switch m := cfg.ColorModel.(type) {
	case color.Palette:
		depth, colors = 8, uint32(len(m))
	default:
		switch cfg.ColorModel {
		case color.GrayModel:
			depth = 8
		case color.Gray16Model:
			depth = 16
		case color.RGBAModel, color.NRGBAModel:
			depth = 32
		case color.RGBA64Model, color.NRGBA64Model:
			depth = 64
		}
	}
	const frontCover = 3
	const description = "Cover (front)"
	var b bytes.Buffer
	u32 := func(v uint32) { _ = binary.Write(&b, binary.BigEndian, v) }
	u32(frontCover)
	u32(uint32(len(c.mime)))
	b.WriteString(c.mime)
	u32(uint32(len(description)))
	b.WriteString(description)
	u32(uint32(cfg.Width))
	u32(uint32(cfg.Height))
	u32(depth)
	u32(colors)
	u32(uint32(len(c.data)))
	b.Write(c.data)
	return b.Bytes(), nil
}

func pictureComment(c cover) (string, error) {
	blk, err := pictureBlock(c)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(blk), nil
}
