// compose-check: loads Compose files with the Compose reference loader (compose-go v2) and
// prints, per file, the loaded project as JSON. The loader validates each file against the
// Compose specification's JSON schema (schema/compose-spec.json of the module) before it
// interpolates, normalises and checks it; a file is also validated with schema.Validate
// directly, so a schema error is named as such. No Docker daemon is involved.
//
// Usage: compose-check FILE...  (exit 1 and a message on stderr when a file does not load)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/schema"
	"go.yaml.in/yaml/v3"
)

func check(file string) (json.RawMessage, error) {
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := yaml.Unmarshal(text, &raw); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	if err := schema.Validate(raw); err != nil {
		return nil, fmt.Errorf("compose-spec.json: %w", err)
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	opts, err := cli.NewProjectOptions([]string{abs},
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		cli.WithEnv([]string{}),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(false),
		cli.WithLoadOptions(func(o *loader.Options) { o.SkipValidation = false }),
	)
	if err != nil {
		return nil, err
	}
	project, err := cli.ProjectFromOptions(context.Background(), opts)
	if err != nil {
		return nil, fmt.Errorf("loader: %w", err)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return out, nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check FILE...")
		os.Exit(2)
	}
	result := map[string]json.RawMessage{}
	for _, file := range os.Args[1:] {
		project, err := check(file)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
			os.Exit(1)
		}
		result[file] = project
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(result); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
