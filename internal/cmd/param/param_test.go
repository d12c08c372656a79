package param_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmd/param"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/params"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// paramWithF runs args with one param subcommand replaced by build's,
// which captures its options through runF. AWS must not be called.
func paramWithF(t *testing.T, stdin string, build func(f *cmdutil.Factory) *cobra.Command, args ...string) (int, string) {
	t.Helper()
	c := cmdtest.New(t, nil)
	c.F.AWSConfig = func(context.Context) (aws.Config, error) {
		t.Error("AWS configuration loaded: a usage check came too late")
		return aws.Config{}, errors.New("no AWS in this test")
	}
	c.Streams.In.(*bytes.Buffer).WriteString(stdin)
	code := c.RunWith(context.Background(), build, []string{"param"}, args...)
	return code, c.ErrOut.String()
}

func TestParamPutFlags(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "v")
	if err := os.WriteFile(file, []byte("exact\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		stdin string
		args  []string
		check func(t *testing.T, o *param.PutOptions, stderr string)
	}{
		{"", []string{"param", "put", "/a/b", "v", "--type", "stringlist", "--tier", "advanced", "--description", "d", "--allowed-pattern", "^v$",
			"--data-type", "text", "--tag", "team=core", "--tag", "env=prod", "--policy", "expire=2099-01-01", "--policy", "no-change=30d"},
			func(t *testing.T, o *param.PutOptions, stderr string) {
				p := o.Put
				if p.Name != "/a/b" || p.Value != "v" || p.Type != "StringList" || p.Tier != "Advanced" || p.Description != "d" || p.AllowedPattern != "^v$" ||
					p.DataType != "text" || !reflect.DeepEqual(p.Tags, map[string]string{"team": "core", "env": "prod"}) {
					t.Errorf("put %+v", p)
				}
				if !strings.Contains(p.Policies, `"Timestamp":"2099-01-01T00:00:00.000Z"`) || !strings.Contains(p.Policies, `"After":"30"`) {
					t.Errorf("policies %s", p.Policies)
				}
			}},
		{"from stdin\n", []string{"param", "put", "/a", "-", "--type", "SecureString", "--key-id", "alias/app"},
			func(t *testing.T, o *param.PutOptions, stderr string) {
				if o.Put.Value != "from stdin" || o.Put.KeyID != "alias/app" || stderr != "" {
					t.Errorf("value %q key %q stderr %q", o.Put.Value, o.Put.KeyID, stderr)
				}
			}},
		{"implicit stdin\n", []string{"param", "put", "/a"},
			func(t *testing.T, o *param.PutOptions, stderr string) {
				if o.Put.Value != "implicit stdin" {
					t.Errorf("value %q", o.Put.Value)
				}
			}},
		{"", []string{"param", "put", "/a", "--value-file", file, "--overwrite"},
			func(t *testing.T, o *param.PutOptions, stderr string) {
				if o.Put.Value != "exact\n" || !o.Put.Overwrite {
					t.Errorf("value %q", o.Put.Value)
				}
			}},
		{"", []string{"param", "put", "/a", "hunter2", "--type", "SecureString"},
			func(t *testing.T, o *param.PutOptions, stderr string) {
				if !strings.Contains(stderr, "ssmctl: a SecureString value given as an argument is visible in the process list") || strings.Contains(stderr, "hunter2") {
					t.Errorf("stderr %q", stderr)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *param.PutOptions
			code, stderr := paramWithF(t, tt.stdin, func(f *cmdutil.Factory) *cobra.Command {
				return param.NewCmdPut(f, func(o *param.PutOptions) error { got = o; return nil })
			}, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			tt.check(t, got, stderr)
		})
	}
}

func TestParamOtherFlags(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "in.env")
	if err := os.WriteFile(envFile, []byte("A=1\nB='two'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("get", func(t *testing.T) {
		var got *param.GetOptions
		code, stderr := paramWithF(t, "", func(f *cmdutil.Factory) *cobra.Command {
			return param.NewCmdGet(f, func(o *param.GetOptions) error { got = o; return nil })
		}, "param", "get", "/a:3", "/b:prod", "/c", "--decrypt", "--value-only")
		if code != 0 || !reflect.DeepEqual(got.Names, []string{"/a:3", "/b:prod", "/c"}) || !got.Decrypt || !got.ValueOnly {
			t.Errorf("exit %d %s %+v", code, stderr, got)
		}
	})
	t.Run("import", func(t *testing.T) {
		var got *param.ImportOptions
		code, stderr := paramWithF(t, "", func(f *cmdutil.Factory) *cobra.Command {
			return param.NewCmdImport(f, func(o *param.ImportOptions) error { got = o; return nil })
		}, "param", "import", envFile, "--prefix", "/app/", "--type", "securestring", "--dry-run")
		if code != 0 || got.Prefix != "/app" || got.Format != "dotenv" || got.Type != "SecureString" || !got.DryRun ||
			!reflect.DeepEqual(got.Entries, []params.Entry{{Key: "A", Value: "1"}, {Key: "B", Value: "two"}}) {
			t.Errorf("exit %d %s %+v", code, stderr, got)
		}
	})
	t.Run("export", func(t *testing.T) {
		var got *param.ExportOptions
		code, stderr := paramWithF(t, "", func(f *cmdutil.Factory) *cobra.Command {
			return param.NewCmdExport(f, func(o *param.ExportOptions) error { got = o; return nil })
		}, "param", "export", "/app/", "-r", "--format", "YML", "-f", "out.yaml")
		if code != 0 || got.Path != "/app" || got.Format != "yaml" || !got.Recursive || got.File != "out.yaml" {
			t.Errorf("exit %d %s %+v", code, stderr, got)
		}
	})
	t.Run("exec", func(t *testing.T) {
		var got *param.ExecOptions
		code, stderr := paramWithF(t, "", func(f *cmdutil.Factory) *cobra.Command {
			return param.NewCmdExec(f, func(o *param.ExecOptions) error { got = o; return nil })
		}, "param", "exec", "/a/", "/b", "--", "env", "-i", "--flag")
		if code != 0 || !reflect.DeepEqual(got.Paths, []string{"/a", "/b"}) || !reflect.DeepEqual(got.Command, []string{"env", "-i", "--flag"}) {
			t.Errorf("exit %d %s %+v", code, stderr, got)
		}
	})
	t.Run("cp", func(t *testing.T) {
		var got *param.CpOptions
		code, stderr := paramWithF(t, "", func(f *cmdutil.Factory) *cobra.Command {
			return param.NewCmdCp(f, func(o *param.CpOptions) error { got = o; return nil }, false)
		}, "param", "cp", "-r", "/a/", "/a", "--to-region", "eu-west-1", "--to-profile", "other", "--overwrite")
		if code != 0 || got.Src != "/a" || got.Dst != "/a" || got.ToRegion != "eu-west-1" || got.ToProfile != "other" || !got.Overwrite {
			t.Errorf("exit %d %s %+v", code, stderr, got)
		}
	})
}

// Bad input is exit 252 with one line on stderr, before any AWS call.
func TestParamUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"param", "get"},
		{"param", "get", "/a b"},
		{"param", "get", "app/x"},
		{"param", "get", "/a:"},
		{"param", "get", "/a:1st"},
		{"param", "put", "/aws/x", "v"},
		{"param", "put", "ssm-x", "v"},
		{"param", "put", "/" + strings.Repeat("l/", 15) + "x", "v"},
		{"param", "put", "/a", "v", "--type", "Secret"},
		{"param", "put", "/a", "v", "--tier", "Gold"},
		{"param", "put", "/a", "v", "--data-type", "json"},
		{"param", "put", "/a", strings.Repeat("x", 4097)},
		{"param", "put", "/a", strings.Repeat("x", 8193), "--tier", "Advanced"},
		{"param", "put", "/a", "v", "--tier", "Standard", "--policy", "expire=2099-01-01"},
		{"param", "put", "/a", "v", "--policy", "expire=2001-01-01"},
		{"param", "put", "/a", "v", "--policy", "notify-before=3w"},
		{"param", "put", "/a", "v", "--tag", "noequals"},
		{"param", "put", "/a", "v", "--tag", "k=v", "--overwrite"},
		{"param", "put", "/a", "v", "--value-file", "x"},
		{"param", "put", "/a", ""},
		{"param", "label", "/a", "9lives"},
		{"param", "label", "/a", "awsy"},
		{"param", "label", "/a:prod", "x"},
		{"param", "unlabel", "/a", "x"},
		{"param", "rm", "/a"},
		{"param", "rm", "-r", "/", "--yes"},
		{"param", "mv", "/a", "/b"},
		{"param", "cp", "/a", "/a"},
		{"param", "cp", "/a", "/aws/b"},
		{"param", "export", "/a", "--format", "xml"},
		{"param", "export", "/a", "--decrypt", "--skip-secure"},
		{"param", "export", "a"},
		{"param", "import", "nofile.env", "--prefix", "/a"},
		{"param", "import", "-"},
		{"param", "exec", "/a"},
		{"param", "exec", "/a", "--"},
		{"param", "exec", "--", "env"},
		{"param", "tree", "/a", "--decrypt"},
		{"param", "diff", "/a"},
		{"param", "history", "/a", "/b"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			c := cmdtest.New(t, nil)
			c.F.AWSConfig = func(context.Context) (aws.Config, error) {
				t.Error("AWS configuration loaded before the usage check")
				return aws.Config{}, errors.New("no AWS")
			}
			code := c.Run(context.Background(), args...)
			if code != exitcode.Usage {
				t.Errorf("exit %d, want 252; stderr %q", code, c.ErrOut.String())
			}
			if lines := strings.Count(strings.TrimSpace(c.ErrOut.String()), "\n"); !strings.HasPrefix(c.ErrOut.String(), "ssmctl: ") || lines > 1 {
				t.Errorf("stderr %q", c.ErrOut.String())
			}
		})
	}
}

// paramSandbox starts a sandbox with a few parameters.
func paramSandbox(t *testing.T, opts sandbox.Options) (*sandbox.Server, *ssm.Client) {
	t.Helper()
	srv := sandbox.Start(t, opts)
	client := ssm.NewFromConfig(srv.AWSConfig())
	for _, p := range []struct{ name, typ, value string }{
		{"/app/prod/db/url", "String", "postgres://db:5432/app"},
		{"/app/prod/db/password", "SecureString", "hunter2"},
		{"/app/prod/flags", "StringList", "a,b"},
		{"/app/common/log", "String", "info"},
	} {
		if _, err := client.PutParameter(context.Background(), &ssm.PutParameterInput{Name: aws.String(p.name), Type: types.ParameterType(p.typ), Value: aws.String(p.value)}); err != nil {
			t.Fatal(err)
		}
	}
	return srv, client
}

func jsonKeys(t *testing.T, doc []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("%v: %s", err, doc)
	}
	if l, ok := v.([]any); ok {
		if len(l) == 0 {
			t.Fatalf("empty list")
		}
		v = l[0]
	}
	var keys []string
	for k := range v.(map[string]any) {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// The JSON field names are a contract (docs/params.md).
func TestParamJSONFieldNames(t *testing.T) {
	srv, _ := paramSandbox(t, sandbox.Options{})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"param", "get", "/app/prod/db/url"}, "arn dataType lastModified name selector type value version"},
		{[]string{"param", "ls", "/app", "-r", "--labels"}, "dataType lastModified lastModifiedUser name tier type version"},
		{[]string{"param", "history", "/app/prod/db/url"}, "dataType labels lastModified lastModifiedUser name tier type value version"},
		{[]string{"param", "tree", "/app", "--values"}, "children name path"},
		{[]string{"param", "label", "/app/prod/db/url", "stable"}, "invalidLabels labels name version"},
		{[]string{"param", "put", "/app/new", "x"}, "name tier version"},
		{[]string{"param", "cp", "/app/prod/flags", "/app/copy/flags", "--dry-run"}, "action name"},
		{[]string{"param", "diff", "/app/prod", "/app/common", "--values"}, "change key typeA valueA"},
	} {
		c := cmdtest.New(t, srv)
		code := c.Run(context.Background(), append(tc.args, "-o", "json")...)
		if code != 0 && !(tc.args[1] == "diff" && code == 1) {
			t.Fatalf("%v: exit %d: %s", tc.args, code, c.ErrOut.String())
		}
		if got := strings.Join(jsonKeys(t, c.Out.Bytes()), " "); got != tc.want {
			t.Errorf("%v: keys %q, want %q", tc.args, got, tc.want)
		}
	}
}

// The tree and get tables, on a terminal and in a pipe.
func TestParamRendering(t *testing.T) {
	srv, _ := paramSandbox(t, sandbox.Options{})
	for _, tc := range []struct {
		args   []string
		tty    bool
		golden string
	}{
		{[]string{"param", "tree", "/app", "--values"}, true, "param_tree_tty.golden"},
		{[]string{"param", "tree", "/app"}, false, "param_tree_pipe.golden"},
		{[]string{"param", "get", "/app/prod/db/url", "/app/prod/db/password", "--decrypt"}, true, "param_get_tty.golden"},
	} {
		c := cmdtest.New(t, srv)
		c.Streams.SetStdoutTTY(tc.tty)
		c.Streams.SetTerminalWidth(100)
		if code := c.Run(context.Background(), tc.args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, c.ErrOut.String())
		}
		cmdtest.Golden(t, tc.golden, c.Out.Bytes())
	}
}

func TestParamGetMissing(t *testing.T) {
	srv, _ := paramSandbox(t, sandbox.Options{})
	c := cmdtest.New(t, srv)
	code := c.Run(context.Background(), "param", "get", "/app/prod/db/url", "/nope", "/app/prod/db/url:9", "--value-only")
	if code != exitcode.AWS || c.Out.String() != "postgres://db:5432/app\n" {
		t.Errorf("exit %d, stdout %q", code, c.Out.String())
	}
	if c.ErrOut.String() != "ssmctl: GetParameters: ParameterNotFound: /nope does not exist\nssmctl: GetParameters: ParameterNotFound: /app/prod/db/url:9 does not exist\n" {
		t.Errorf("stderr %q", c.ErrOut.String())
	}
}

// exec hands the values to the program in its environment, never argv,
// with later paths overriding earlier ones.
func TestParamExecReplacesProcess(t *testing.T) {
	srv, client := paramSandbox(t, sandbox.Options{})
	if _, err := client.PutParameter(context.Background(), &ssm.PutParameterInput{Name: aws.String("/app/prod/log"), Type: types.ParameterTypeString, Value: aws.String("debug")}); err != nil {
		t.Fatal(err)
	}
	var argv0 string
	var argv, env []string
	saved := *param.ExecProcess
	*param.ExecProcess = func(a0 string, a []string, e []string) error {
		argv0, argv, env = a0, a, e
		return nil
	}
	t.Cleanup(func() { *param.ExecProcess = saved })
	c := cmdtest.New(t, srv)
	code := c.Run(context.Background(), "param", "exec", "/app/common", "/app/prod", "-r", "--", "sh", "-c", "echo $LOG")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, c.ErrOut.String())
	}
	if !strings.HasSuffix(argv0, "/sh") || !reflect.DeepEqual(argv, []string{"sh", "-c", "echo $LOG"}) {
		t.Errorf("argv0 %q argv %q", argv0, argv)
	}
	want := []string{"DB_URL=postgres://db:5432/app", "DB_PASSWORD=hunter2", "FLAGS=a,b", "LOG=debug"}
	for _, w := range want {
		if !contains(env, w) {
			t.Errorf("env lacks %s", w)
		}
	}
	if contains(env, "LOG=info") {
		t.Error("the earlier path's LOG survived")
	}
	if got := c.ErrOut.String(); got != "ssmctl: LOG from /app/prod/log overrides /app/common/log\n" {
		t.Errorf("stderr %q", got)
	}
	for _, a := range append(argv, argv0) {
		if strings.Contains(a, "hunter2") {
			t.Error("a value reached argv")
		}
	}
}

func contains(s []string, v string) bool {
	for _, e := range s {
		if e == v {
			return true
		}
	}
	return false
}

// Export then import reproduces every value byte for byte, in every format.
func TestParamExportImportRoundTrip(t *testing.T) {
	srv, client := paramSandbox(t, sandbox.Options{})
	ctx := context.Background()
	values := map[string]string{
		"newlines": "line one\nline two\n", "unicode": "héllo 世界 🚀", "equals": "a=b=c", "quotes": `say "hi" and 'bye'`,
		"spaces": "   leading and trailing   ", "dollar": "$HOME ${X} %{y}", "backslash": `C:\path\n`, "crlf": "a\r\nb",
	}
	for k, v := range values {
		typ := types.ParameterTypeString
		if k == "quotes" {
			typ = types.ParameterTypeSecureString
		}
		if _, err := client.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/rt/src/" + k), Type: typ, Value: aws.String(v)}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	for _, format := range params.Formats {
		t.Run(format, func(t *testing.T) {
			file := filepath.Join(dir, "export."+format)
			c := cmdtest.New(t, srv)
			if code := c.Run(ctx, "param", "export", "/rt/src", "--format", format, "--decrypt", "-f", file); code != 0 {
				t.Fatalf("export: exit %d: %s", code, c.ErrOut.String())
			}
			if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("export file: %v, %v", fi, err)
			}
			c = cmdtest.New(t, srv)
			if code := c.Run(ctx, "param", "import", file, "--format", format, "--prefix", "/rt/"+format); code != 0 {
				t.Fatalf("import: exit %d: %s", code, c.ErrOut.String())
			}
			got := map[string]string{}
			pages := ssm.NewGetParametersByPathPaginator(client, &ssm.GetParametersByPathInput{Path: aws.String("/rt/" + format), WithDecryption: aws.Bool(true)})
			for pages.HasMorePages() {
				out, err := pages.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range out.Parameters {
					got[strings.TrimPrefix(aws.ToString(p.Name), "/rt/"+format+"/")] = aws.ToString(p.Value)
				}
			}
			want := map[string]string{}
			for k, v := range values {
				want[params.KeyFor(format, k)] = v
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

// The reliability target: 2,000 parameters under 30% injected
// throttling all end at version 1, and the import exits 0.
func TestParamImportUnderThrottling(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 writes")
	}
	srv := sandbox.Start(t, sandbox.Options{Faults: sandbox.Faults{Throttle: 0.3}, Seed: 7})
	var b strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&b, "K%04d='value %d'\n", i, i)
	}
	file := filepath.Join(t.TempDir(), "big.env")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	c := cmdtest.New(t, srv)
	if code := c.Run(context.Background(), "param", "import", file, "--prefix", "/big", "-o", "json"); code != 0 {
		t.Fatalf("exit %d: %s", code, c.ErrOut.String())
	}
	if !strings.Contains(c.ErrOut.String(), "2000 created, 0 updated, 0 unchanged, 0 failed (") {
		t.Errorf("summary %q", c.ErrOut.String())
	}
	// Read back through pkg/params, whose reads retry the injected throttling.
	check := &params.Client{API: ssm.NewFromConfig(srv.AWSConfig())}
	md, err := check.Describe(context.Background(), "/big", true)
	if err != nil {
		t.Fatal(err)
	}
	n := len(md)
	for _, m := range md {
		if m.Version != 1 {
			t.Errorf("%s at version %d", m.Name, m.Version)
		}
	}
	if n != 2000 {
		t.Errorf("%d parameters, want 2000", n)
	}
}

// rm asks on a terminal (prompt on stderr, answer on stdin) and deletes
// only on yes.
func TestParamRmPrompts(t *testing.T) {
	srv, client := paramSandbox(t, sandbox.Options{})
	for _, tc := range []struct {
		answer  string
		code    int
		deleted bool
	}{
		{"n\n", exitcode.Usage, false},
		{"", exitcode.Usage, false},
		{"yes\n", 0, true},
	} {
		c := cmdtest.New(t, srv)
		c.Streams.SetStdinTTY(true)
		c.Streams.SetStderrTTY(true)
		c.Streams.In.(*bytes.Buffer).WriteString(tc.answer)
		code := c.Run(context.Background(), "param", "rm", "-r", "/app/prod")
		if code != tc.code {
			t.Errorf("answer %q: exit %d, want %d: %s", tc.answer, code, tc.code, c.ErrOut.String())
		}
		if !strings.HasPrefix(c.ErrOut.String(), "Delete 3 parameters (/app/prod/db/password, /app/prod/db/url, /app/prod/flags)? [y/N] ") {
			t.Errorf("prompt %q", c.ErrOut.String())
		}
		_, err := client.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/app/prod/flags")})
		if gone := params.IsNotFound(err); gone != tc.deleted {
			t.Errorf("answer %q: deleted=%v (%v)", tc.answer, gone, err)
		}
	}
}
