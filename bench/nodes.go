package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// nodes: list every managed node of a large fleet as JSON.
func init() { register(nodesScenario) }

func nodesScenario(cfg config) scenario {
	awsList := []string{"aws", "ssm", "describe-instance-information", "--output", "json"}
	return scenario{
		Name:    "nodes",
		Title:   fmt.Sprintf("list %d managed nodes as JSON", cfg.Nodes),
		Sandbox: sandbox.Options{Nodes: cfg.Nodes, Seed: 1},
		Commands: []command{
			{Label: "ssmctl", Argv: []string{"ssmctl", "nodes", "-o", "json"}, Result: ssmctlNodeIDs(cfg.Nodes)},
			{Label: "aws CLI", Argv: awsList, Result: awsNodeIDs(cfg.Nodes)},
			{Label: "aws CLI, --page-size 50", Argv: slices.Concat(awsList, []string{"--page-size", "50"}), Result: awsNodeIDs(cfg.Nodes)},
		},
		Notes: []string{
			"The rows do not print the same thing. ssmctl prints every node with its tags and its " +
				"display name (the Name tag), so it also reads tags with the Resource Groups Tagging API " +
				"(GetResources, listing instances and managed instances 100 a page); the AWS CLI prints DescribeInstanceInformation " +
				"as it comes, without tags or Name tags. The AWS CLI pages with the service's default page " +
				"size unless given --page-size (which sets MaxResults on every call and still fetches every page).",
		},
	}
}

// ssmctlNodeIDs checks `ssmctl nodes -o json`: n distinct nodes, each with
// its tags, and returns their IDs.
func ssmctlNodeIDs(n int) func([]byte) ([]string, error) {
	return func(out []byte) ([]string, error) {
		var nodes []struct {
			ID   string            `json:"id"`
			Tags map[string]string `json:"tags"`
		}
		if err := json.Unmarshal(out, &nodes); err != nil {
			return nil, err
		}
		ids := make([]string, len(nodes))
		for i, node := range nodes {
			if len(node.Tags) == 0 {
				return nil, fmt.Errorf("node %s has no tags", node.ID)
			}
			ids[i] = node.ID
		}
		return ids, checkIDs(ids, n)
	}
}

// awsNodeIDs checks `aws ssm describe-instance-information`: n distinct
// nodes, and returns their IDs.
func awsNodeIDs(n int) func([]byte) ([]string, error) {
	return func(out []byte) ([]string, error) {
		var doc struct {
			InstanceInformationList []struct {
				InstanceID string `json:"InstanceId"`
			}
			NextToken string
		}
		if err := json.Unmarshal(out, &doc); err != nil {
			return nil, err
		}
		if doc.NextToken != "" {
			return nil, errors.New("the CLI stopped paginating (NextToken in its output)")
		}
		ids := make([]string, len(doc.InstanceInformationList))
		for i, info := range doc.InstanceInformationList {
			ids[i] = info.InstanceID
		}
		return ids, checkIDs(ids, n)
	}
}

// checkIDs requires n distinct, non-empty IDs.
func checkIDs(ids []string, n int) error {
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id == "" || seen[id] {
			return fmt.Errorf("empty or repeated node ID %q", id)
		}
		seen[id] = true
	}
	if len(ids) != n {
		return fmt.Errorf("%d nodes, want %d", len(ids), n)
	}
	return nil
}
