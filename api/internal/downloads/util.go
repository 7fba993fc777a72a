package downloads

import "strconv"

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func ftoa1(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
