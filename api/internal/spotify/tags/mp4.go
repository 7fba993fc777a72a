package tags

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// addFreeformFile adds a "----" (mean/name/data) atom to the iTunes
// metadata list of an MP4 file: moov/udta/meta/ilst. Growing moov shifts
// whatever follows it, so when moov precedes mdat every chunk offset
// (stco/co64) is moved by the same amount.
func addFreeformFile(path, mean, name, value string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := addFreeform(data, mean, name, value)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o600)
}

type box struct {
	start, size, hdr int
	typ              string
}

// boxes lists the boxes in data[from:to].
func boxes(data []byte, from, to int) ([]box, error) {
	var out []box
	for off := from; off < to; {
		if to-off < 8 {
			return nil, errors.New("truncated box header")
		}
		size, hdr := int(binary.BigEndian.Uint32(data[off:])), 8
		typ := string(data[off+4 : off+8])
		switch size {
		case 1:
			if to-off < 16 {
				return nil, errors.New("truncated box header")
			}
			size, hdr = int(binary.BigEndian.Uint64(data[off+8:])), 16
		case 0:
			size = to - off
		}
		if size < hdr || off+size > to {
			return nil, fmt.Errorf("bad %q box size", typ)
		}
		out = append(out, box{start: off, size: size, hdr: hdr, typ: typ})
		off += size
	}
	return out, nil
}

func child(data []byte, parent box, skip int, typ string) (box, error) {
	kids, err := boxes(data, parent.start+parent.hdr+skip, parent.start+parent.size)
	if err != nil {
		return box{}, err
	}
	for _, k := range kids {
		if k.typ == typ {
			return k, nil
		}
	}
	return box{}, fmt.Errorf("no %q in %q", typ, parent.typ)
}

func fullBox(typ string, payload []byte) []byte {
	b := make([]byte, 12, 12+len(payload))
	binary.BigEndian.PutUint32(b, uint32(12+len(payload)))
	copy(b[4:], typ)
	return append(b, payload...)
}

func freeformAtom(mean, name, value string) []byte {
	dataBox := make([]byte, 16, 16+len(value))
	binary.BigEndian.PutUint32(dataBox, uint32(16+len(value)))
	copy(dataBox[4:], "data")
	binary.BigEndian.PutUint32(dataBox[8:], 1) // well-known type 1: UTF-8
	dataBox = append(dataBox, value...)
	body := append(fullBox("mean", []byte(mean)), fullBox("name", []byte(name))...)
	body = append(body, dataBox...)
	atom := make([]byte, 8, 8+len(body))
	binary.BigEndian.PutUint32(atom, uint32(8+len(body)))
	copy(atom[4:], "----")
	return append(atom, body...)
}

func addFreeform(data []byte, mean, name, value string) ([]byte, error) {
	top, err := boxes(data, 0, len(data))
	if err != nil {
		return nil, err
	}
	var moov *box
	mdatAfter := false
	for i := range top {
		switch top[i].typ {
		case "moov":
			moov = &top[i]
		case "mdat":
			if moov != nil {
				mdatAfter = true
			}
		}
	}
	if moov == nil {
		return nil, errors.New("no moov box")
	}
	udta, err := child(data, *moov, 0, "udta")
	if err != nil {
		return nil, err
	}
	meta, err := child(data, udta, 0, "meta")
	if err != nil {
		return nil, err
	}
	ilst, err := child(data, meta, 4, "ilst") // meta is a full box
	if err != nil {
		return nil, err
	}
	for _, b := range []box{*moov, udta, meta, ilst} {
		if b.hdr != 8 {
			return nil, fmt.Errorf("64-bit %q box not supported", b.typ)
		}
	}
	atom := freeformAtom(mean, name, value)
	grow := len(atom)
	out := make([]byte, 0, len(data)+grow)
	insertAt := ilst.start + ilst.size
	out = append(out, data[:insertAt]...)
	out = append(out, atom...)
	out = append(out, data[insertAt:]...)
	for _, b := range []box{*moov, udta, meta, ilst} {
		binary.BigEndian.PutUint32(out[b.start:], uint32(b.size+grow))
	}
	if mdatAfter {
		newMoov := box{start: moov.start, size: moov.size + grow, hdr: 8, typ: "moov"}
		if err := shiftChunkOffsets(out, newMoov, uint64(grow)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// shiftChunkOffsets adds delta to every stco/co64 entry under moov.
func shiftChunkOffsets(data []byte, moov box, delta uint64) error {
	traks, err := boxes(data, moov.start+moov.hdr, moov.start+moov.size)
	if err != nil {
		return err
	}
	for _, trak := range traks {
		if trak.typ != "trak" {
			continue
		}
		stbl := trak
		for _, typ := range []string{"mdia", "minf", "stbl"} {
			if stbl, err = child(data, stbl, 0, typ); err != nil {
				return err
			}
		}
		kids, err := boxes(data, stbl.start+stbl.hdr, stbl.start+stbl.size)
		if err != nil {
			return err
		}
		for _, k := range kids {
			p := k.start + k.hdr + 4 // version/flags
			if k.typ != "stco" && k.typ != "co64" {
				continue
			}
			if k.size < k.hdr+8 {
				return fmt.Errorf("short %q box", k.typ)
			}
			n := int(binary.BigEndian.Uint32(data[p:]))
			p += 4
			width := 4
			if k.typ == "co64" {
				width = 8
			}
			if n < 0 || p+n*width > k.start+k.size {
				return fmt.Errorf("%q entry count exceeds its box", k.typ)
			}
			for i := 0; i < n; i++ {
				if k.typ == "stco" {
					v := uint64(binary.BigEndian.Uint32(data[p:])) + delta
					if v > 0xFFFFFFFF {
						return errors.New("chunk offset overflows stco")
					}
					binary.BigEndian.PutUint32(data[p:], uint32(v))
					p += 4
				} else {
					binary.BigEndian.PutUint64(data[p:], binary.BigEndian.Uint64(data[p:])+delta)
					p += 8
				}
			}
		}
	}
	return nil
}
