package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// writeYAML writes a tree as YAML with the JSON document's key order.
func writeYAML(buf *bytes.Buffer, tree any) error {
	node, err := yamlNode(tree)
	if err != nil {
		return err
	}
	enc := yaml.NewEncoder(buf)
	enc.SetIndent(2)
	if err := enc.Encode(node); err != nil {
		return fmt.Errorf("encode yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encode yaml: %w", err)
	}
	return nil
}

func yamlNode(v any) (*yaml.Node, error) {
	switch v := v.(type) {
	case object:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, m := range v {
			k, err := yamlString(m.Key)
			if err != nil {
				return nil, err
			}
			val, err := yamlNode(m.Value)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, k, val)
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range v {
			val, err := yamlNode(e)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, val)
		}
		return n, nil
	case string:
		return yamlString(v)
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(v.String(), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v.String()}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(v)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, fmt.Errorf("encode yaml: unexpected %T", v)
}

// yamlString lets yaml.v3 choose the style of a string, as it does when
// marshalling one: it quotes strings that would read back as another type
// ("true", "0123", "1.0", "null", "yes") and uses a literal block for
// multi-line text.
func yamlString(s string) (*yaml.Node, error) {
	n := &yaml.Node{}
	if err := n.Encode(s); err != nil {
		return nil, fmt.Errorf("encode yaml: %w", err)
	}
	return n, nil
}
