package runcmd

import (
	"fmt"
	"strings"
)

// OutputLocation says where the full output of an invocation is, when AWS
// kept only its first characters: its S3 object, or its CloudWatch Logs
// group and streams; "" when the command sent it nowhere.
func OutputLocation(c Command, inv Invocation) string {
	var where []string
	for _, p := range inv.Plugins {
		if p.StdoutURL != "" {
			where = append(where, p.StdoutURL)
		}
	}
	if len(where) == 0 && c.OutputS3Bucket != "" {
		prefix := strings.TrimSuffix(c.OutputS3Prefix, "/")
		if prefix != "" {
			prefix += "/"
		}
		where = append(where, fmt.Sprintf("s3://%s/%s%s/%s/", c.OutputS3Bucket, prefix, c.ID, inv.NodeID))
	}
	if c.CloudWatchOutput {
		where = append(where, fmt.Sprintf("CloudWatch Logs group %s, streams %s/%s/...", c.CloudWatchLogGroup, c.ID, inv.NodeID))
	}
	return strings.Join(where, "; ")
}
