package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// SaveRegistry writes r into the config file at path: over the registry
// whose host is host (when host is not ""), else appended. The file is
// edited as YAML nodes, so the user's comments, key order and other
// settings stay as they were; the result is checked as Load checks a file
// before it replaces the old one, atomically. A field r leaves empty is
// removed from the entry.
func SaveRegistry(path, host string, r Registry) error {
	return editConfig(path, func(doc *yaml.Node) error {
		seq := registriesSeq(doc)
		item := findRegistry(seq, host)
		if host != "" && item == nil {
			return fmt.Errorf("%s names no registry %s", path, host)
		}
		if host == "" {
			if findRegistry(seq, r.Host) != nil {
				return fmt.Errorf("%s already has a registry %s: edit it", path, r.Host)
			}
			item = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			seq.Content = append(seq.Content, item)
		}
		setScalar(item, "name", r.Name, r.Name != "" && r.Name != r.Host)
		setScalar(item, "host", r.Host, true)
		setScalar(item, "insecure", strconv.FormatBool(r.Insecure), r.Insecure)
		setScalar(item, "ca_file", r.CAFile, r.CAFile != "")
		setList(item, "repositories", r.Repositories)
		setList(item, "namespaces", r.Namespaces)
		setScalar(item, "provider", r.Provider, r.Provider != "")
		setScalar(item, "api", r.API, r.API != "")
		return nil
	})
}

// RemoveRegistry removes the registry whose host is host from the config
// file, keeping the rest of the file as it was.
func RemoveRegistry(path, host string) error {
	return editConfig(path, func(doc *yaml.Node) error {
		seq := registriesSeq(doc)
		for i, item := range seq.Content {
			if scalar(item, "host") == host {
				seq.Content = append(seq.Content[:i], seq.Content[i+1:]...)
				return nil
			}
		}
		return fmt.Errorf("%s names no registry %s", path, host)
	})
}

// editConfig reads the file's nodes (an empty document when there is no
// file), lets edit change them, checks the result and writes it.
func editConfig(path string, edit func(doc *yaml.Node) error) error {
	var root yaml.Node
	b, err := os.ReadFile(path) //nolint:gosec // the user's own config
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("reading config %s: %w", path, err)
	default:
		if _, err := Parse(path, b); err != nil {
			return fmt.Errorf("the config has a mistake already; fix it first: %w", err)
		}
		if err := yaml.Unmarshal(b, &root); err != nil {
			return err
		}
	}
	if root.Kind == 0 {
		root = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	if err := edit(root.Content[0]); err != nil {
		return err
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return err
	}
	if _, err := Parse(path, out.Bytes()); err != nil {
		return fmt.Errorf("nothing was written: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.yaml")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(out.Bytes())
	if err := errors.Join(werr, tmp.Close()); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// registriesSeq is the document's registries sequence, made when missing.
func registriesSeq(doc *yaml.Node) *yaml.Node {
	if seq := valueOf(doc, "registries"); seq != nil && seq.Kind == yaml.SequenceNode {
		return seq
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "registries"}, seq)
	return seq
}

func findRegistry(seq *yaml.Node, host string) *yaml.Node {
	if host == "" {
		return nil
	}
	for _, item := range seq.Content {
		if NormalizeHost(scalar(item, "host")) == NormalizeHost(host) {
			return item
		}
	}
	return nil
}

func scalar(m *yaml.Node, key string) string {
	if v := valueOf(m, key); v != nil {
		return v.Value
	}
	return ""
}

// setScalar sets key to value in mapping m (keeping the key's place and
// comments), or removes it when keep is false.
func setScalar(m *yaml.Node, key, value string, keep bool) {
	tag := "!!str"
	if value == "true" || value == "false" {
		tag = "!!bool"
	}
	set(m, key, &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}, keep)
}

func setList(m *yaml.Node, key string, values []string) {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, v := range values {
		seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v})
	}
	set(m, key, seq, len(values) > 0)
}

func set(m *yaml.Node, key string, value *yaml.Node, keep bool) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			continue
		}
		if !keep {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
		old := m.Content[i+1]
		value.HeadComment, value.LineComment, value.FootComment = old.HeadComment, old.LineComment, old.FootComment
		if old.Kind == value.Kind {
			value.Style = old.Style // [a, b] stays a flow list
		}
		if old.Kind == value.Kind && old.Kind == yaml.ScalarNode {
			old.Value, old.Tag = value.Value, value.Tag
			return
		}
		m.Content[i+1] = value
		return
	}
	if keep {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, value)
	}
}
