package sandbox

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Each PutParameter rule answers AWS's exception.
func TestPutParameterRules(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	put(t, c, "/exists", "v", types.ParameterTypeString)
	put(t, c, "/adv", "v", types.ParameterTypeString, func(in *ssm.PutParameterInput) { in.Tier = types.ParameterTierAdvanced })
	put(t, c, "/pattern", "123", types.ParameterTypeString, func(in *ssm.PutParameterInput) { in.AllowedPattern = aws.String(`^\d+$`) })

	deep := strings.Repeat("/l", 15)
	// 1011: the longest name AWS accepts, its ARN prefix included.
	long := "/" + strings.Repeat("n", 1011-len("arn:aws:ssm:us-east-1:123456789012:parameter/"))
	in := func(name, value string, typ types.ParameterType, mods ...func(*ssm.PutParameterInput)) *ssm.PutParameterInput {
		p := &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: typ}
		for _, m := range mods {
			m(p)
		}
		return p
	}
	tier := func(t types.ParameterTier) func(*ssm.PutParameterInput) {
		return func(in *ssm.PutParameterInput) { in.Tier = t }
	}
	policies := func(p string) func(*ssm.PutParameterInput) {
		return func(in *ssm.PutParameterInput) { in.Policies = aws.String(p) }
	}
	dataType := func(d string) func(*ssm.PutParameterInput) {
		return func(in *ssm.PutParameterInput) { in.DataType = aws.String(d) }
	}
	future := time.Now().Add(48 * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	expire := `{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"` + future + `"}}`
	for _, tc := range []struct {
		name string
		in   *ssm.PutParameterInput
		code string
		msg  string
	}{
		{"aws prefix", in("awsome", "v", "String"), "ValidationException", `can't be prefixed with "aws" or "ssm"`},
		{"ssm prefix, any case", in("SSM-x", "v", "String"), "ValidationException", `can't be prefixed with "aws" or "ssm"`},
		{"ssm path", in("/ssm/x", "v", "String"), "ValidationException", "If formed as a path"},
		{"aws path", in("/aws/reference/x", "v", "String"), "AccessDeniedException", "No access to reserved parameter name"},
		{"space inside", in("/a b", "v", "String"), "ValidationException", ""},
		{"bad character", in("/a*b", "v", "String"), "ValidationException", ""},
		{"no leading slash in a path", in("a/b", "v", "String"), "ValidationException", ""},
		{"empty level", in("/a//b", "v", "String"), "ValidationException", ""},
		{"16 levels", in(deep+"/x", "v", "String"), "HierarchyLevelLimitExceededException", ""},
		{"1012 characters with the ARN", in(long+"x", "v", "String"), "ValidationException", "1011"},
		{"over the model's 2048", in("/"+strings.Repeat("n", 2048), "v", "String"), "ValidationException", "Member must have length less than or equal to 2048"},
		{"empty value", in("/e", "", "String"), "ValidationException", "greater than or equal to 1"},
		{"no type", in("/new", "v", ""), "ValidationException", "A parameter type is required"},
		{"bad type", in("/new", "v", "Secret"), "ValidationException", "enum value set"},
		{"exists", in("/exists", "v", "String"), "ParameterAlreadyExists", "overwrite option"},
		{"tags with overwrite", in("/exists", "v", "String", overwrite, func(in *ssm.PutParameterInput) {
			in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}
		}), "ValidationException", "tags and overwrite can't be used together"},
		{"type change", in("/exists", "v", "SecureString", overwrite), "HierarchyTypeMismatchException", ""},
		{"4097 bytes standard", in("/big", strings.Repeat("x", 4097), "String"), "ValidationException", "maximum parameter value of 4096"},
		{"4097 bytes explicit standard", in("/big", strings.Repeat("x", 4097), "String", tier("Standard")), "ValidationException", "4096"},
		{"multibyte over 4 KB", in("/big", strings.Repeat("é", 2049), "String"), "ValidationException", "4096"},
		{"8193 bytes advanced", in("/big", strings.Repeat("x", 8193), "String", tier("Advanced")), "ValidationException", "8192"},
		{"8193 bytes intelligent", in("/big", strings.Repeat("x", 8193), "String", tier("Intelligent-Tiering")), "ValidationException", "8192"},
		{"downgrade", in("/adv", "v", "String", overwrite, tier("Standard")), "ValidationException", "can't downgrade a parameter from the advanced-parameter tier"},
		{"policies on standard", in("/pol", "v", "String", policies("["+expire+"]")), "ValidationException", "policies"},
		{"policy type", in("/pol", "v", "String", tier("Advanced"), policies(`[{"Type":"Rotation","Version":"1.0","Attributes":{}}]`)), "InvalidPolicyTypeException", ""},
		{"policy attribute", in("/pol", "v", "String", tier("Advanced"), policies(`[{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"x","Unit":"Days"}}]`)), "InvalidPolicyAttributeException", ""},
		{"policy unit", in("/pol", "v", "String", tier("Advanced"), policies(`[{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"3","Unit":"Weeks"}}]`)), "InvalidPolicyAttributeException", ""},
		{"expiration in the past", in("/pol", "v", "String", tier("Advanced"), policies(`[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2001-01-01T00:00:00.000Z"}}]`)), "InvalidPolicyAttributeException", ""},
		{"two expirations", in("/pol", "v", "String", tier("Advanced"), policies("["+expire+","+expire+"]")), "IncompatiblePolicyException", ""},
		{"11 policies", in("/pol", "v", "String", tier("Advanced"), policies("["+strings.Repeat(expire+",", 10)+expire+"]")), "PoliciesLimitExceededException", ""},
		{"policies not JSON", in("/pol", "v", "String", tier("Advanced"), policies("expire soon")), "ValidationException", ""},
		{"pattern mismatch", in("/pattern", "12a", "", overwrite), "ParameterPatternMismatchException", `cannot be validated against allowedPattern: ^\d+$`},
		{"bad pattern", in("/pattern2", "x", "String", func(in *ssm.PutParameterInput) { in.AllowedPattern = aws.String("(") }), "InvalidAllowedPatternException", ""},
		{"unknown data type", in("/dt", "x", "String", dataType("Text")), "ValidationException", "The following data type is not supported: Text"},
		{"bad AMI ID", in("/dt", "ami-xyz", "String", dataType("aws:ec2:image")), "ValidationException", ""},
		{"AMI data type on a SecureString", in("/dt", "ami-0123456789abcdef0", "SecureString", dataType("aws:ec2:image")), "ValidationException", ""},
		{"aws: tag", in("/tagged", "v", "String", func(in *ssm.PutParameterInput) {
			in.Tags = []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}
		}), "ValidationException", ""},
	} {
		_, err := c.PutParameter(ctx(), tc.in)
		if errorCode(err) != tc.code || !strings.Contains(fmt.Sprint(err), tc.msg) {
			t.Errorf("%s: %v, want %s %q", tc.name, err, tc.code, tc.msg)
		}
	}

	// What the rules allow.
	for _, tc := range []struct {
		name     string
		in       *ssm.PutParameterInput
		wantTier types.ParameterTier
	}{
		{"15 levels", in(deep, "v", "String"), "Standard"},
		{"1011 characters with the ARN", in(long, "v", "String"), "Standard"},
		{"spaces around the name", in("  /trimmed  ", "v", "String"), "Standard"},
		{"4096 bytes", in("/max", strings.Repeat("x", 4096), "String"), "Standard"},
		{"intelligent, small", in("/it/small", "v", "String", tier("Intelligent-Tiering")), "Standard"},
		{"intelligent, large", in("/it/large", strings.Repeat("x", 5000), "String", tier("Intelligent-Tiering")), "Advanced"},
		{"intelligent, policy", in("/it/policy", "v", "String", tier("Intelligent-Tiering"), policies("["+expire+`,{"Type":"ExpirationNotification","Version":"1.0","Attributes":{"Before":"15","Unit":"Days"}},{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"20","Unit":"Hours"}}]`)), "Advanced"},
		{"advanced stays advanced without a tier", in("/adv", "w", "", overwrite), "Advanced"},
		{"advanced stays advanced with intelligent tiering", in("/adv", "w", "", overwrite, tier("Intelligent-Tiering")), "Advanced"},
		{"upgrade", in("/exists", "w", "", overwrite, tier("Advanced")), "Advanced"},
		{"8192 bytes advanced", in("/max8", strings.Repeat("x", 8192), "String", tier("Advanced")), "Advanced"},
		{"AMI", in("/ami", "ami-0123456789abcdef0", "String", dataType("aws:ec2:image")), "Standard"},
		{"pattern match", in("/pattern", "456", "", overwrite), "Standard"},
		{"StringList", in("/list", "a,b,c", "StringList"), "Standard"},
	} {
		out, err := c.PutParameter(ctx(), tc.in)
		if err != nil || out.Tier != tc.wantTier {
			t.Errorf("%s: %+v %v, want tier %s", tc.name, out, err, tc.wantTier)
		}
	}
	if _, err := c.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String("/trimmed")}); err != nil {
		t.Errorf("the name was not trimmed: %v", err)
	}
	d, err := c.DescribeParameters(ctx(), &ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Name"), Values: []string{"/it/policy"}}}})
	if err != nil || len(d.Parameters) != 1 || len(d.Parameters[0].Policies) != 3 || d.Parameters[0].Policies[0].PolicyStatus == nil ||
		aws.ToString(d.Parameters[0].Policies[1].PolicyType) != "ExpirationNotification" {
		t.Errorf("policies described: %+v %v", d, err)
	}
	// An empty policy list removes the policies.
	put(t, c, "/it/policy", "v2", "", overwrite, policies("[]"))
	d, _ = c.DescribeParameters(ctx(), &ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Name"), Values: []string{"/it/policy"}}}})
	if len(d.Parameters[0].Policies) != 0 || d.Parameters[0].Tier != types.ParameterTierAdvanced {
		t.Errorf("after [] policies: %+v", d.Parameters[0])
	}
}

func TestParameterVersionLimit(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	for i := 1; i <= 100; i++ {
		put(t, c, "/v", fmt.Sprint(i), types.ParameterTypeString, overwrite)
	}
	// The 101st version drops version 1.
	if out := put(t, c, "/v", "101", "", overwrite); out.Version != 101 {
		t.Fatalf("101st: version %d", out.Version)
	}
	if _, err := c.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String("/v:1")}); errorCode(err) != "ParameterVersionNotFound" {
		t.Errorf("version 1 after 101 versions: %v", err)
	}
	var versions []int64
	pg := ssm.NewGetParameterHistoryPaginator(c, &ssm.GetParameterHistoryInput{Name: aws.String("/v"), MaxResults: aws.Int32(30)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range out.Parameters {
			versions = append(versions, p.Version)
		}
	}
	if len(versions) != 100 || versions[0] != 2 || versions[99] != 101 {
		t.Errorf("history: %d versions, %v..%v", len(versions), versions[0], versions[len(versions)-1])
	}
	// With a label on the oldest version, AWS refuses to drop it.
	if _, err := c.LabelParameterVersion(ctx(), &ssm.LabelParameterVersionInput{Name: aws.String("/v"), ParameterVersion: aws.Int64(2), Labels: []string{"keep"}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutParameter(ctx(), &ssm.PutParameterInput{Name: aws.String("/v"), Value: aws.String("102"), Overwrite: aws.Bool(true)})
	if errorCode(err) != "ParameterMaxVersionLimitExceeded" || !strings.Contains(err.Error(), "Version 2, the oldest version, can't be deleted") {
		t.Errorf("oldest labelled: %v", err)
	}
	for _, bad := range []*ssm.GetParameterHistoryInput{
		{Name: aws.String("/v"), MaxResults: aws.Int32(51)},
		{Name: aws.String("/v"), NextToken: aws.String("nope")},
	} {
		if _, err := c.GetParameterHistory(ctx(), bad); errorCode(err) == "" {
			t.Errorf("GetParameterHistory(%+v) accepted", bad)
		}
	}
}

func TestParameterLabels(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	for range 3 {
		put(t, c, "/l", "v", types.ParameterTypeString, overwrite)
	}
	label := func(version int64, labels ...string) (*ssm.LabelParameterVersionOutput, error) {
		in := &ssm.LabelParameterVersionInput{Name: aws.String("/l"), Labels: labels}
		if version > 0 {
			in.ParameterVersion = aws.Int64(version)
		}
		return c.LabelParameterVersion(ctx(), in)
	}
	// Invalid labels are returned, not refused; valid ones are attached.
	out, err := label(1, "prod", "1st", "aws-x", "SSMy", "has space", "ok.v-1_x")
	if err != nil || out.ParameterVersion != 1 || strings.Join(out.InvalidLabels, " ") != "1st aws-x SSMy has space" {
		t.Fatalf("label: %+v %v", out, err)
	}
	// Without a version, the latest; a label moves between versions.
	out, err = label(0, "prod")
	if err != nil || out.ParameterVersion != 3 {
		t.Fatalf("label latest: %+v %v", out, err)
	}
	h, _ := c.GetParameterHistory(ctx(), &ssm.GetParameterHistoryInput{Name: aws.String("/l")})
	if got := fmt.Sprint(h.Parameters[0].Labels, h.Parameters[2].Labels); got != "[ok.v-1_x] [prod]" {
		t.Errorf("labels after the move: %s", got)
	}
	if g, err := c.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String("/l:prod")}); err != nil || g.Parameter.Version != 3 || aws.ToString(g.Parameter.Selector) != ":prod" {
		t.Errorf("GetParameter /l:prod: %+v %v", g, err)
	}
	// Ten labels per version.
	if _, err := label(2, "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"); err != nil {
		t.Fatal(err)
	}
	if _, err := label(2, "a11"); errorCode(err) != "ParameterVersionLabelLimitExceeded" {
		t.Errorf("11th label: %v", err)
	}
	if _, err := label(9, "x"); errorCode(err) != "ParameterVersionNotFound" {
		t.Errorf("missing version: %v", err)
	}
	if _, err := c.LabelParameterVersion(ctx(), &ssm.LabelParameterVersionInput{Name: aws.String("/nope"), Labels: []string{"x"}}); errorCode(err) != "ParameterNotFound" {
		t.Errorf("missing parameter: %v", err)
	}
	if _, err := label(1, strings.Repeat("x", 101)); errorCode(err) != "ValidationException" {
		t.Errorf("101-character label: %v", err)
	}
	if _, err := label(1, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"); errorCode(err) != "ValidationException" {
		t.Errorf("11 labels in one call: %v", err)
	}

	un, err := c.UnlabelParameterVersion(ctx(), &ssm.UnlabelParameterVersionInput{Name: aws.String("/l"), ParameterVersion: aws.Int64(3), Labels: []string{"prod", "absent"}})
	if err != nil || strings.Join(un.RemovedLabels, " ") != "prod" || strings.Join(un.InvalidLabels, " ") != "absent" {
		t.Errorf("unlabel: %+v %v", un, err)
	}
	if _, err := c.UnlabelParameterVersion(ctx(), &ssm.UnlabelParameterVersionInput{Name: aws.String("/l"), ParameterVersion: aws.Int64(7), Labels: []string{"x"}}); errorCode(err) != "ParameterVersionNotFound" {
		t.Errorf("unlabel missing version: %v", err)
	}
	if _, err := c.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String("/l:prod")}); errorCode(err) != "ParameterNotFound" {
		t.Errorf("removed label: %v", err)
	}
}

func TestParameterTags(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	put(t, c, "/t", "v", types.ParameterTypeString, func(in *ssm.PutParameterInput) {
		in.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}
	})
	rt := types.ResourceTypeForTaggingParameter
	if _, err := c.AddTagsToResource(ctx(), &ssm.AddTagsToResourceInput{ResourceType: rt, ResourceId: aws.String("/t"), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RemoveTagsFromResource(ctx(), &ssm.RemoveTagsFromResourceInput{ResourceType: rt, ResourceId: aws.String("/t"), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	l, err := c.ListTagsForResource(ctx(), &ssm.ListTagsForResourceInput{ResourceType: rt, ResourceId: aws.String("/t")})
	if err != nil || len(l.TagList) != 1 || aws.ToString(l.TagList[0].Key) != "env" {
		t.Errorf("tags: %+v %v", l, err)
	}
	var many []types.Tag
	for i := range 50 {
		many = append(many, types.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")})
	}
	if _, err := c.AddTagsToResource(ctx(), &ssm.AddTagsToResourceInput{ResourceType: rt, ResourceId: aws.String("/t"), Tags: many}); errorCode(err) != "TooManyTagsError" {
		t.Errorf("51 tags: %v", err)
	}
	if _, err := c.AddTagsToResource(ctx(), &ssm.AddTagsToResourceInput{ResourceType: rt, ResourceId: aws.String("/none"), Tags: many[:1]}); errorCode(err) != "InvalidResourceId" {
		t.Errorf("unknown parameter: %v", err)
	}
	// Tags go with the parameter.
	if _, err := c.DeleteParameter(ctx(), &ssm.DeleteParameterInput{Name: aws.String("/t")}); err != nil {
		t.Fatal(err)
	}
	put(t, c, "/t", "v", types.ParameterTypeString)
	if l, _ := c.ListTagsForResource(ctx(), &ssm.ListTagsForResourceInput{ResourceType: rt, ResourceId: aws.String("/t")}); len(l.TagList) != 0 {
		t.Errorf("tags survived delete: %+v", l.TagList)
	}
}
