package runcmd

import "testing"

func TestOutputLocation(t *testing.T) {
	inv := Invocation{NodeID: "i-1"}
	for _, tt := range []struct {
		c    Command
		inv  Invocation
		want string
	}{
		{Command{ID: "c1"}, inv, ""},
		{Command{ID: "c1", OutputS3Bucket: "b", OutputS3Prefix: "p/"}, inv, "s3://b/p/c1/i-1/"},
		{Command{ID: "c1", OutputS3Bucket: "b"}, inv, "s3://b/c1/i-1/"},
		{Command{ID: "c1", OutputS3Bucket: "b"}, Invocation{NodeID: "i-1", Plugins: []Plugin{{StdoutURL: "https://s3/x"}}}, "https://s3/x"},
		{Command{ID: "c1", CloudWatchOutput: true, CloudWatchLogGroup: "/g"}, inv, "CloudWatch Logs group /g, streams c1/i-1/..."},
	} {
		if got := OutputLocation(tt.c, tt.inv); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.c, got, tt.want)
		}
	}
}
