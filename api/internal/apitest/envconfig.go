package apitest

import (
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/config"
)

// envFromConfig turns a Config back into DOWNLINK_* variables, so tests
// go through the same Load and validation as the binary.
func envFromConfig(cfg config.Config) func(string) string {
	vars := map[string]string{}
	v := reflect.ValueOf(cfg)
	t := v.Type()
	for i := range t.NumField() {
		env := t.Field(i).Tag.Get("env")
		if env == "" {
			continue
		}
		var s string
		switch x := v.Field(i).Interface().(type) {
		case []string:
			s = strings.Join(x, ",")
		case time.Duration:
			s = x.String()
		case config.ByteSize:
			s = x.String()
		default:
			s = toString(x)
		}
		vars[config.EnvPrefix+env] = s
	}
	return func(k string) string { return vars[k] }
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	}
	return ""
}
