package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
)

// subcommand parses `downlink <group> <name> [flags]` for a group of
// subcommands (user, apikey): it picks the subcommand, parses the flags it
// declares and returns the other arguments, which are the server's own
// configuration flags (--data-dir, --database-url, …).
func subcommand(group, usage string, flagsOf map[string]func(*flag.FlagSet), args []string, io stdio) (string, *flag.FlagSet, []string, error) {
	names := make([]string, 0, len(flagsOf))
	for n := range flagsOf {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(io.out, usage)
		if len(args) == 0 {
			return "", nil, nil, errors.New("want a subcommand: " + strings.Join(names, ", "))
		}
		return "", nil, nil, flag.ErrHelp
	}
	name, args := args[0], args[1:]
	declare, ok := flagsOf[name]
	if !ok {
		fmt.Fprint(io.err, usage)
		return "", nil, nil, fmt.Errorf("unknown subcommand %q", name)
	}
	fs := flag.NewFlagSet("downlink "+group+" "+name, flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.Usage = func() {
		fmt.Fprint(io.err, usage+"\nFlags of "+group+" "+name+":\n")
		fs.PrintDefaults()
	}
	declare(fs)
	own, rest := splitOwnFlags(fs, args)
	if err := fs.Parse(own); err != nil {
		return "", nil, nil, err
	}
	if fs.NArg() > 0 {
		return "", nil, nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return name, fs, rest, nil
}

// splitOwnFlags separates the flags fs declares (with their values) from
// the rest, which go to the configuration.
func splitOwnFlags(fs *flag.FlagSet, args []string) (own, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		switch {
		case !strings.HasPrefix(a, "-") || a == "-" || a == "--":
			rest = append(rest, a)
		case name == "h" || name == "help":
			own = append(own, a)
		case f != nil:
			own = append(own, a)
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				continue
			}
			if !hasValue && i+1 < len(args) {
				own = append(own, args[i+1])
				i++
			}
		default:
			rest = append(rest, a)
		}
	}
	return own, rest
}
