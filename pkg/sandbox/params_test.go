package sandbox

import (
	"encoding/base64"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

func put(t *testing.T, c *ssm.Client, name, value string, typ types.ParameterType, mods ...func(*ssm.PutParameterInput)) *ssm.PutParameterOutput {
	t.Helper()
	in := &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: typ}
	for _, m := range mods {
		m(in)
	}
	out, err := c.PutParameter(ctx(), in)
	if err != nil {
		t.Fatalf("PutParameter %s: %v", name, err)
	}
	return out
}

func overwrite(in *ssm.PutParameterInput) { in.Overwrite = aws.Bool(true) }

func TestParameterPutGetDelete(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)

	out := put(t, c, "/app/dev/db/host", "db.local", types.ParameterTypeString, func(in *ssm.PutParameterInput) {
		in.Description = aws.String("the database")
	})
	if out.Version != 1 || out.Tier != types.ParameterTierStandard {
		t.Errorf("PutParameter: version %d tier %s", out.Version, out.Tier)
	}
	got, err := c.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String("/app/dev/db/host")})
	if err != nil {
		t.Fatal(err)
	}
	p := got.Parameter
	wantARN := "arn:aws:ssm:us-east-1:123456789012:parameter/app/dev/db/host"
	if aws.ToString(p.Value) != "db.local" || p.Version != 1 || p.Type != types.ParameterTypeString || aws.ToString(p.ARN) != wantARN ||
		aws.ToString(p.DataType) != "text" || p.LastModifiedDate == nil || p.Selector != nil {
		t.Errorf("GetParameter: %+v", p)
	}
	// A plain name's ARN has the slash too; names can be given as ARNs.
	put(t, c, "plain", "v", types.ParameterTypeString)
	byARN, err := c.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String("arn:aws:ssm:us-east-1:123456789012:parameter/plain")})
	if err != nil || aws.ToString(byARN.Parameter.Name) != "plain" || aws.ToString(byARN.Parameter.ARN) != "arn:aws:ssm:us-east-1:123456789012:parameter/plain" {
		t.Errorf("GetParameter by ARN: %+v %v", byARN, err)
	}
	byARN, err = c.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String(wantARN)})
	if err != nil || aws.ToString(byARN.Parameter.Name) != "/app/dev/db/host" {
		t.Errorf("GetParameter by hierarchical ARN: %+v %v", byARN, err)
	}
	// Spaces around a name are removed, as AWS does.
	if _, err := c.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String("  plain ")}); err != nil {
		t.Errorf("GetParameter with spaces around the name: %v", err)
	}

	if _, err := c.PutParameter(ctx(), &ssm.PutParameterInput{Name: aws.String("plain"), Value: aws.String("w"), Type: types.ParameterTypeString}); errorCode(err) != "ParameterAlreadyExists" {
		t.Errorf("PutParameter without Overwrite: %v", err)
	}
	// An update without Type keeps the type.
	if out := put(t, c, "plain", "w", "", overwrite); out.Version != 2 {
		t.Errorf("overwrite: version %d", out.Version)
	}

	if _, err := c.DeleteParameter(ctx(), &ssm.DeleteParameterInput{Name: aws.String("plain")}); err != nil {
		t.Fatal(err)
	}
	for _, op := range []func() error{
		func() error {
			_, err := c.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String("plain")})
			return err
		},
		func() error {
			_, err := c.DeleteParameter(ctx(), &ssm.DeleteParameterInput{Name: aws.String("plain")})
			return err
		},
		func() error {
			_, err := c.GetParameterHistory(ctx(), &ssm.GetParameterHistoryInput{Name: aws.String("plain")})
			return err
		},
	} {
		if err := op(); errorCode(err) != "ParameterNotFound" {
			t.Errorf("after delete: %v, want ParameterNotFound", err)
		}
	}
	// A deleted name starts again at version 1.
	if out := put(t, c, "plain", "again", types.ParameterTypeString); out.Version != 1 {
		t.Errorf("recreated: version %d", out.Version)
	}
}

func TestGetParametersSelectors(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	put(t, c, "/b", "b1", types.ParameterTypeString)
	put(t, c, "/b", "b2", types.ParameterTypeString, overwrite)
	put(t, c, "/a", "x,y", types.ParameterTypeStringList)
	if _, err := c.LabelParameterVersion(ctx(), &ssm.LabelParameterVersionInput{Name: aws.String("/b"), ParameterVersion: aws.Int64(1), Labels: []string{"prod"}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetParameters(ctx(), &ssm.GetParametersInput{Names: []string{"/b:1", "/missing", "/a", "/b:prod", "/b:9", "/b:nolabel", "/b"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range out.Parameters {
		got = append(got, fmt.Sprintf("%s%s=%s@%d", aws.ToString(p.Name), aws.ToString(p.Selector), aws.ToString(p.Value), p.Version))
	}
	// Alphabetical by name, as the documentation says.
	if strings.Join(got, " ") != "/a=x,y@1 /b:1=b1@1 /b:prod=b1@1 /b=b2@2" {
		t.Errorf("GetParameters: %v", got)
	}
	if strings.Join(out.InvalidParameters, " ") != "/missing /b:9 /b:nolabel" {
		t.Errorf("InvalidParameters: %v", out.InvalidParameters)
	}
	if _, err := c.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String("/b:9")}); errorCode(err) != "ParameterVersionNotFound" {
		t.Errorf("GetParameter /b:9: %v", err)
	}
	if _, err := c.GetParameters(ctx(), &ssm.GetParametersInput{Names: make([]string, 11)}); errorCode(err) != "ValidationException" {
		t.Errorf("GetParameters with 11 names: %v", err)
	}
}

func TestGetParametersByPath(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	var want []string
	for i := range 23 {
		name := fmt.Sprintf("/app/svc%02d", i)
		put(t, c, name, "v", types.ParameterTypeString)
		want = append(want, name)
	}
	put(t, c, "/app/deep/x", "v", types.ParameterTypeSecureString)
	put(t, c, "/apple", "v", types.ParameterTypeString)
	put(t, c, "/app", "v", types.ParameterTypeString)

	list := func(recursive bool, size int32, filters ...types.ParameterStringFilter) (names []string, pages, short int) {
		t.Helper()
		pg := ssm.NewGetParametersByPathPaginator(c, &ssm.GetParametersByPathInput{Path: aws.String("/app"), Recursive: aws.Bool(recursive), MaxResults: aws.Int32(size), ParameterFilters: filters})
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx())
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if len(out.Parameters) < int(size) && out.NextToken != nil {
				short++
			}
			for _, p := range out.Parameters {
				names = append(names, aws.ToString(p.Name))
			}
		}
		return names, pages, short
	}
	names, pages, short := list(false, 10)
	if !slices.Equal(names, want) {
		t.Errorf("one level: %v", names)
	}
	if pages < 3 {
		t.Errorf("one level: %d pages", pages)
	}
	names, _, _ = list(true, 10)
	if !slices.Contains(names, "/app/deep/x") || len(names) != 24 || slices.Contains(names, "/apple") || slices.Contains(names, "/app") {
		t.Errorf("recursive: %v", names)
	}
	// Short pages happen, deterministically: over page sizes 1..10, some
	// page comes back short with a NextToken.
	totalShort := short
	for size := int32(2); size <= 10; size++ {
		_, _, sh := list(true, size)
		totalShort += sh
	}
	if totalShort == 0 {
		t.Error("no page came back short")
	}
	names, _, _ = list(true, 10, types.ParameterStringFilter{Key: aws.String("Type"), Values: []string{"SecureString"}})
	if !slices.Equal(names, []string{"/app/deep/x"}) {
		t.Errorf("Type filter: %v", names)
	}

	for _, bad := range []struct {
		in   *ssm.GetParametersByPathInput
		code string
	}{
		{&ssm.GetParametersByPathInput{Path: aws.String("/app"), MaxResults: aws.Int32(11)}, "ValidationException"},
		{&ssm.GetParametersByPathInput{Path: aws.String("/app"), MaxResults: aws.Int32(0)}, "ValidationException"},
		{&ssm.GetParametersByPathInput{Path: aws.String("app")}, "ValidationException"},
		{&ssm.GetParametersByPathInput{Path: aws.String("/app"), NextToken: aws.String("bogus")}, "InvalidNextToken"},
		{&ssm.GetParametersByPathInput{Path: aws.String("/app"), ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Name"), Values: []string{"x"}}}}, "InvalidFilterKey"},
		{&ssm.GetParametersByPathInput{Path: aws.String("/app"), ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Tier"), Values: []string{"Standard"}}}}, "InvalidFilterKey"},
		{&ssm.GetParametersByPathInput{Path: aws.String("/app"), ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Label"), Option: aws.String("BeginsWith"), Values: []string{"x"}}}}, "InvalidFilterOption"},
		{&ssm.GetParametersByPathInput{Path: aws.String("/app"), ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Type"), Values: []string{"Bogus"}}}}, "InvalidFilterValue"},
	} {
		if _, err := c.GetParametersByPath(ctx(), bad.in); errorCode(err) != bad.code {
			t.Errorf("GetParametersByPath(%+v): %v, want %s", bad.in, err, bad.code)
		}
	}
}

func TestDescribeParametersFilters(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	put(t, c, "/a/one", "1", types.ParameterTypeString, func(in *ssm.PutParameterInput) {
		in.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}
	})
	put(t, c, "/a/two", "2", types.ParameterTypeSecureString, func(in *ssm.PutParameterInput) { in.KeyId = aws.String("alias/sandbox") })
	put(t, c, "/a/b/three", "3", types.ParameterTypeStringList, func(in *ssm.PutParameterInput) { in.Tier = types.ParameterTierAdvanced })
	put(t, c, "top", "4", types.ParameterTypeString)

	describe := func(in *ssm.DescribeParametersInput) []string {
		t.Helper()
		var names []string
		pg := ssm.NewDescribeParametersPaginator(c, in)
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx())
			if err != nil {
				t.Fatalf("DescribeParameters(%+v): %v", in, err)
			}
			for _, p := range out.Parameters {
				names = append(names, aws.ToString(p.Name))
			}
		}
		return names
	}
	f := func(key, option string, values ...string) types.ParameterStringFilter {
		sf := types.ParameterStringFilter{Key: aws.String(key), Values: values}
		if option != "" {
			sf.Option = aws.String(option)
		}
		return sf
	}
	for _, tc := range []struct {
		filters []types.ParameterStringFilter
		want    string
	}{
		{nil, "/a/b/three /a/one /a/two top"},
		{[]types.ParameterStringFilter{f("Path", "", "/a")}, "/a/one /a/two"},
		{[]types.ParameterStringFilter{f("Path", "Recursive", "/a")}, "/a/b/three /a/one /a/two"},
		{[]types.ParameterStringFilter{f("Path", "OneLevel", "/")}, ""},
		{[]types.ParameterStringFilter{f("Name", "BeginsWith", "/a/t")}, "/a/two"},
		{[]types.ParameterStringFilter{f("Name", "Equals", "top")}, "top"},
		{[]types.ParameterStringFilter{f("Name", "Contains", "o")}, "/a/one /a/two top"},
		{[]types.ParameterStringFilter{f("Type", "Equals", "SecureString")}, "/a/two"},
		{[]types.ParameterStringFilter{f("KeyId", "", "alias/sandbox")}, "/a/two"},
		{[]types.ParameterStringFilter{f("Tier", "", "Advanced")}, "/a/b/three"},
		{[]types.ParameterStringFilter{f("DataType", "", "text"), f("Path", "Recursive", "/a/b")}, "/a/b/three"},
		{[]types.ParameterStringFilter{f("tag:team", "", "ops")}, "/a/one"},
		{[]types.ParameterStringFilter{f("tag:team", "")}, "/a/one"},
		{[]types.ParameterStringFilter{f("tag:team", "", "dev")}, ""},
	} {
		if got := strings.Join(describe(&ssm.DescribeParametersInput{ParameterFilters: tc.filters, MaxResults: aws.Int32(1)}), " "); got != tc.want {
			t.Errorf("filters %v: %q, want %q", tc.filters, got, tc.want)
		}
	}
	// The legacy Filters.
	if got := strings.Join(describe(&ssm.DescribeParametersInput{Filters: []types.ParametersFilter{{Key: types.ParametersFilterKeyName, Values: []string{"/a/"}}}}), " "); got != "/a/b/three /a/one /a/two" {
		t.Errorf("legacy Name filter: %q", got)
	}
	out, err := c.DescribeParameters(ctx(), &ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{f("Name", "Equals", "/a/two")}})
	if err != nil || len(out.Parameters) != 1 {
		t.Fatalf("describe /a/two: %+v %v", out, err)
	}
	m := out.Parameters[0]
	if aws.ToString(m.KeyId) != "alias/sandbox" || m.Tier != types.ParameterTierStandard || m.Version != 1 ||
		aws.ToString(m.LastModifiedUser) != "arn:aws:iam::123456789012:user/sandbox-user" || aws.ToString(m.DataType) != "text" || m.LastModifiedDate == nil {
		t.Errorf("metadata: %+v", m)
	}

	for _, bad := range []struct {
		in   *ssm.DescribeParametersInput
		code string
	}{
		{&ssm.DescribeParametersInput{MaxResults: aws.Int32(51)}, "ValidationException"},
		{&ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{f("Label", "", "x")}}, "InvalidFilterKey"},
		{&ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{f("Bogus", "", "x")}}, "ValidationException"},
		{&ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{f("Name", "", "a"), f("Name", "", "b")}}, "InvalidFilterKey"},
		{&ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{f("Path", "Equals", "/a")}}, "InvalidFilterOption"},
		{&ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{f("Type", "Contains", "S")}}, "InvalidFilterOption"},
		{&ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{f("Name", "")}}, "InvalidFilterValue"},
		{&ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{f("Tier", "", "Gold")}}, "InvalidFilterValue"},
		{&ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{f("Path", "", "/aws/x")}}, "ValidationException"},
		{&ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{f("Name", "", "a")}, Filters: []types.ParametersFilter{{Key: types.ParametersFilterKeyName, Values: []string{"a"}}}}, "ValidationException"},
		{&ssm.DescribeParametersInput{NextToken: aws.String("AAAA")}, "InvalidNextToken"},
	} {
		if _, err := c.DescribeParameters(ctx(), bad.in); errorCode(err) != bad.code {
			t.Errorf("DescribeParameters(%+v): %v, want %s", bad.in, err, bad.code)
		}
	}
}

func TestDeleteParameters(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	put(t, c, "/d/1", "v", types.ParameterTypeString)
	put(t, c, "/d/2", "v", types.ParameterTypeString)
	out, err := c.DeleteParameters(ctx(), &ssm.DeleteParametersInput{Names: []string{"/d/1", "/d/x", "/d/2"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(out.DeletedParameters, " ") != "/d/1 /d/2" || strings.Join(out.InvalidParameters, " ") != "/d/x" {
		t.Errorf("DeleteParameters: %+v", out)
	}
	if _, err := c.DeleteParameters(ctx(), &ssm.DeleteParametersInput{Names: make([]string, 11)}); errorCode(err) != "ValidationException" {
		t.Errorf("11 names: %v", err)
	}
	d, err := c.DescribeParameters(ctx(), &ssm.DescribeParametersInput{})
	if err != nil || len(d.Parameters) != 0 {
		t.Errorf("after DeleteParameters: %+v %v", d, err)
	}
}

func TestSecureString(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{KMSKeys: []KMSKey{{ID: "0b1c2d3e-aaaa-bbbb-cccc-0123456789ab", Alias: "alias/team"}}})
	c := ssmClient(s)
	const secret = "s3cr3t = \"quoted\"\nline two ünïcode"
	for _, keyID := range []string{"", "alias/team", "0b1c2d3e-aaaa-bbbb-cccc-0123456789ab",
		"arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab", "arn:aws:kms:us-east-1:123456789012:alias/team", "alias/aws/ssm"} {
		name := "/sec/" + fmt.Sprint(len(keyID))
		put(t, c, name, secret, types.ParameterTypeSecureString, func(in *ssm.PutParameterInput) {
			if keyID != "" {
				in.KeyId = aws.String(keyID)
			}
		})
		enc, err := c.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		v := aws.ToString(enc.Parameter.Value)
		if v == secret || strings.Contains(v, "s3cr3t") {
			t.Errorf("key %q: value without decryption is the plaintext", keyID)
		}
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			t.Errorf("key %q: ciphertext %q is not base64", keyID, v)
		}
		dec, err := c.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
		if err != nil || aws.ToString(dec.Parameter.Value) != secret {
			t.Errorf("key %q: decrypted %q %v", keyID, aws.ToString(dec.Parameter.Value), err)
		}
		d, err := c.DescribeParameters(ctx(), &ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Name"), Values: []string{name}}}})
		want := keyID
		if want == "" {
			want = "alias/aws/ssm"
		}
		if err != nil || len(d.Parameters) != 1 || aws.ToString(d.Parameters[0].KeyId) != want {
			t.Errorf("key %q: described %+v %v", keyID, d, err)
		}
	}
	// A String parameter's value comes back as is whatever WithDecryption says.
	put(t, c, "/plain", "x", types.ParameterTypeString)
	if g, _ := c.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String("/plain"), WithDecryption: aws.Bool(true)}); aws.ToString(g.Parameter.Value) != "x" {
		t.Errorf("String with decryption: %+v", g)
	}
	// History and GetParametersByPath decrypt only when asked.
	h, err := c.GetParameterHistory(ctx(), &ssm.GetParameterHistoryInput{Name: aws.String("/sec/0")})
	if err != nil || aws.ToString(h.Parameters[0].Value) == secret {
		t.Errorf("history without decryption: %v", err)
	}
	h, err = c.GetParameterHistory(ctx(), &ssm.GetParameterHistoryInput{Name: aws.String("/sec/0"), WithDecryption: aws.Bool(true)})
	if err != nil || aws.ToString(h.Parameters[0].Value) != secret || aws.ToString(h.Parameters[0].KeyId) != "alias/aws/ssm" {
		t.Errorf("history with decryption: %+v %v", h, err)
	}
	bp, err := c.GetParametersByPath(ctx(), &ssm.GetParametersByPathInput{Path: aws.String("/sec"), WithDecryption: aws.Bool(true)})
	if err != nil || len(bp.Parameters) == 0 || aws.ToString(bp.Parameters[0].Value) != secret {
		t.Errorf("by path with decryption: %+v %v", bp, err)
	}

	for _, bad := range []struct{ keyID, msg string }{
		{"alias/nope", "Alias arn:aws:kms:us-east-1:123456789012:alias/nope is not found."},
		{"arn:aws:kms:us-east-1:123456789012:alias/nope", "Alias arn:aws:kms:us-east-1:123456789012:alias/nope is not found."},
		{"11111111-2222-3333-4444-555555555555", "Key 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555' does not exist"},
		{"arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab", "Invalid keyId"},
		{"not-a-key", "Invalid keyId not-a-key"},
	} {
		_, err := c.PutParameter(ctx(), &ssm.PutParameterInput{Name: aws.String("/sec/bad"), Value: aws.String("v"), Type: types.ParameterTypeSecureString, KeyId: aws.String(bad.keyID)})
		if errorCode(err) != "InvalidKeyId" || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("KeyId %s: %v", bad.keyID, err)
		}
		if err != nil && strings.Contains(err.Error(), "v\"") {
			t.Errorf("KeyId %s: the error quotes the value: %v", bad.keyID, err)
		}
	}
	if _, err := c.PutParameter(ctx(), &ssm.PutParameterInput{Name: aws.String("/str"), Value: aws.String("v"), Type: types.ParameterTypeString, KeyId: aws.String("alias/team")}); errorCode(err) != "ValidationException" {
		t.Errorf("KeyId on a String: %v", err)
	}
}

func TestParameterStateSurvivesRestart(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/state.json"
	s, err := New(Options{StatePath: path, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	c := ssmClient(s)
	put(t, c, "/p/secret", "hunter2", types.ParameterTypeSecureString, func(in *ssm.PutParameterInput) {
		in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}
	})
	put(t, c, "/p/secret", "hunter3", "", overwrite)
	if _, err := c.LabelParameterVersion(ctx(), &ssm.LabelParameterVersionInput{Name: aws.String("/p/secret"), Labels: []string{"old"}, ParameterVersion: aws.Int64(1)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); strings.Contains(string(b), "hunter") {
		t.Error("the state file holds a SecureString in plaintext")
	}

	s2 := Start(t, Options{StatePath: path})
	c2 := ssmClient(s2)
	g, err := c2.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String("/p/secret:old"), WithDecryption: aws.Bool(true)})
	if err != nil || aws.ToString(g.Parameter.Value) != "hunter2" {
		t.Errorf("after restart, version 1 by label: %+v %v", g, err)
	}
	h, err := c2.GetParameterHistory(ctx(), &ssm.GetParameterHistoryInput{Name: aws.String("/p/secret"), WithDecryption: aws.Bool(true)})
	if err != nil || len(h.Parameters) != 2 || aws.ToString(h.Parameters[1].Value) != "hunter3" {
		t.Errorf("after restart, history: %+v %v", h, err)
	}
	tags, err := c2.ListTagsForResource(ctx(), &ssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/p/secret")})
	if err != nil || len(tags.TagList) != 1 {
		t.Errorf("after restart, tags: %+v %v", tags, err)
	}
}
