package instagram

import (
	"bytes"
	"encoding/xml"
	"errors"
	"os"
	"strings"
	"time"
)

// Metadata is what a downloaded photo carries about its post, as XMP
// (dc:description, dc:creator, dc:source, xmp:CreateDate,
// photoshop:DateCreated): readable by exiftool, digiKam, Lightroom and
// most photo libraries.
type Metadata struct {
	Caption string
	Author  string
	// Source is the post's URL.
	Source  string
	TakenAt time.Time
}

// xmpNamespace starts an XMP APP1 segment (XMP spec part 3, 1.1.3).
const xmpNamespace = "http://ns.adobe.com/xap/1.0/\x00"

// maxSegment is the most a JPEG segment may hold after its length bytes.
const maxSegment = 65535 - 2

// errNotJPEG: the file is not a JPEG; it keeps no embedded metadata.
var errNotJPEG = errors.New("instagram: not a JPEG")

// WriteMetadata embeds md into the JPEG at path as an XMP segment placed
// after the JFIF/EXIF headers, and sets the file's modification time to
// the post's date. Files other than JPEG only get the time.
func WriteMetadata(path string, md Metadata) error {
	if !md.TakenAt.IsZero() {
		defer func() { _ = os.Chtimes(path, md.TakenAt, md.TakenAt) }()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := withXMP(data, md)
	if errors.Is(err, errNotJPEG) {
		return nil
	}
	if err != nil {
		return err
	}
	tmp := path + ".xmp"
	if err := os.WriteFile(tmp, out, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// withXMP returns the JPEG with md's XMP segment inserted (replacing an
// XMP segment it had).
func withXMP(jpeg []byte, md Metadata) ([]byte, error) {
	if len(jpeg) < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8 {
		return nil, errNotJPEG
	}
	packet := xmpPacket(md)
	if len(xmpNamespace)+len(packet) > maxSegment {
		md.Caption = truncateRunes(md.Caption, maxSegment-len(xmpNamespace)-len(xmpPacket(Metadata{Author: md.Author,
			Source: md.Source, TakenAt: md.TakenAt}))-64)
		packet = xmpPacket(md)
	}
	seg := make([]byte, 0, 4+len(xmpNamespace)+len(packet))
	n := 2 + len(xmpNamespace) + len(packet)
	seg = append(seg, 0xFF, 0xE1, byte(n>>8), byte(n))
	seg = append(seg, xmpNamespace...)
	seg = append(seg, packet...)

	// Walk the header segments: keep APP0 (JFIF) and an EXIF APP1 first,
	// drop an old XMP segment, insert ours before the first other one.
	var out bytes.Buffer
	out.Write(jpeg[:2])
	i := 2
	inserted := false
	for i+4 <= len(jpeg) && jpeg[i] == 0xFF {
		marker := jpeg[i+1]
		size := int(jpeg[i+2])<<8 | int(jpeg[i+3])
		end := i + 2 + size
		if size < 2 || end > len(jpeg) {
			return nil, errNotJPEG
		}
		body := jpeg[i+4 : end]
		isXMP := marker == 0xE1 && bytes.HasPrefix(body, []byte(xmpNamespace))
		isHeader := marker == 0xE0 || (marker == 0xE1 && bytes.HasPrefix(body, []byte("Exif\x00")))
		if !isHeader && !inserted {
			out.Write(seg)
			inserted = true
		}
		if !isXMP {
			out.Write(jpeg[i:end])
		}
		i = end
		if marker == 0xDA { // start of scan: image data follows
			break
		}
	}
	if !inserted {
		out.Write(seg)
	}
	out.Write(jpeg[i:])
	return out.Bytes(), nil
}

func xmpPacket(md Metadata) []byte {
	var b strings.Builder
	b.WriteString("<?xpacket begin=\"\ufeff\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	b.WriteString(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`)
	b.WriteString(`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">`)
	if md.Caption != "" {
		b.WriteString(`<dc:description><rdf:Alt><rdf:li xml:lang="x-default">`)
		b.WriteString(escape(md.Caption))
		b.WriteString(`</rdf:li></rdf:Alt></dc:description>`)
	}
	if md.Author != "" {
		b.WriteString(`<dc:creator><rdf:Seq><rdf:li>` + escape(md.Author) + `</rdf:li></rdf:Seq></dc:creator>`)
	}
	if md.Source != "" {
		b.WriteString(`<dc:source>` + escape(md.Source) + `</dc:source>`)
	}
	if !md.TakenAt.IsZero() {
		d := md.TakenAt.UTC().Format(time.RFC3339)
		b.WriteString(`<xmp:CreateDate>` + d + `</xmp:CreateDate><photoshop:DateCreated>` + d + `</photoshop:DateCreated>`)
	}
	b.WriteString("</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>")
	return []byte(b.String())
}

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func truncateRunes(s string, maxBytes int) string {
	if maxBytes <= 0 {
		return ""
	}
	if len(s) <= maxBytes {
		return s
	}
	cut := maxBytes
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
