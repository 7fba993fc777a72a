package managed

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"strings"
)

// maxSumsSize bounds SHA2-256SUMS and its signature: a release lists a
// few dozen files.
const maxSumsSize = 64 << 10

// parseSums reads a GNU-style sums file as `sha256sum -- *` writes it:
// "<64 hex digits><two spaces or space-star><file name>" per line. It
// returns the lowercase hex SHA-256 by file name.
func parseSums(data []byte) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if len(line) < 67 || line[64] != ' ' || (line[65] != ' ' && line[65] != '*') {
			return nil, refuse(CodeBadRelease, nil, "SHA2-256SUMS line %d is not '<sha256>  <file>'", n)
		}
		sum, name := strings.ToLower(line[:64]), line[66:]
		if _, err := hex.DecodeString(sum); err != nil {
			return nil, refuse(CodeBadRelease, nil, "SHA2-256SUMS line %d has no SHA-256", n)
		}
		out[name] = sum
	}
	if len(out) == 0 {
		return nil, refuse(CodeBadRelease, nil, "SHA2-256SUMS lists no file")
	}
	return out, nil
}

// nameOfSum finds the file whose sum is sum.
func nameOfSum(sums map[string]string, sum string) string {
	for name, s := range sums {
		if s == sum {
			return name
		}
	}
	return ""
}
