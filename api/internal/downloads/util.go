package downloads

import (
	"strconv"

	"gorm.io/gorm"
)

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func ftoa1(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// queryScope wraps a GORM query so helpers can build fresh copies.
type queryScope struct{ q *gorm.DB }
