package config

import (
	"flag"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// bind registers one flag per tagged Config field, its default taken from the
// environment variable when set, so flags override the environment.
func bind(cfg *Config, fs *flag.FlagSet, getenv func(string) string) error {
	v := reflect.ValueOf(cfg).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, env := f.Tag.Get("flag"), f.Tag.Get("env")
		if name == "" {
			continue
		}
		val := &fieldValue{v: v.Field(i)}
		if raw := getenv(EnvPrefix + env); raw != "" {
			if err := val.Set(raw); err != nil {
				return fmt.Errorf("%s%s: %w", EnvPrefix, env, err)
			}
		}
		fs.Var(val, name, f.Tag.Get("usage")+" ($"+EnvPrefix+env+")")
	}
	return nil
}

// fieldValue adapts one Config field to flag.Value.
type fieldValue struct{ v reflect.Value }

func (f *fieldValue) String() string {
	if !f.v.IsValid() {
		return ""
	}
	switch x := f.v.Interface().(type) {
	case []string:
		return strings.Join(x, ",")
	case time.Duration:
		return x.String()
	case ByteSize:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

func (f *fieldValue) Set(s string) error {
	switch f.v.Interface().(type) {
	case string:
		f.v.SetString(s)
	case bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not a boolean", s)
		}
		f.v.SetBool(b)
	case int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		f.v.SetInt(int64(n))
	case time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration like 90s or 24h", s)
		}
		f.v.SetInt(int64(d))
	case ByteSize:
		b, err := ParseByteSize(s)
		if err != nil {
			return err
		}
		f.v.SetInt(int64(b))
	case []string:
		var out []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		f.v.Set(reflect.ValueOf(out))
	default:
		return fmt.Errorf("unsupported config type %s", f.v.Type())
	}
	return nil
}

// IsBoolFlag lets `--generic-sites` stand alone.
func (f *fieldValue) IsBoolFlag() bool { return f.v.IsValid() && f.v.Kind() == reflect.Bool }
