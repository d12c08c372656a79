package params

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// fakeSSM is an in-memory Parameter Store with hooks for faults. It keeps
// every version, labels per version, and answers pages that are short on
// purpose (pageSize), as AWS may.
type fakeSSM struct {
	mu       sync.Mutex
	params   map[string][]*fakeVersion // name -> versions, oldest first
	pageSize int                       // items per page; 0 means as asked

	// putFault decides, per PutParameter call (n counts calls), an error
	// to answer before (apply=false) or after (apply=true) applying it.
	putFault func(n int, name string) (err error, apply bool)
	putCalls int

	// noSelector leaves Selector out of GetParameters' answers, as
	// LocalStack and other emulators do.
	noSelector bool

	calls map[string]int
	// batches records the Names of GetParameters and DeleteParameters.
	batches map[string][][]string
}

type fakeVersion struct {
	version int64
	typ     string
	value   string
	tier    string
	keyID   string
	desc    string
	labels  []string
}

func newFake() *fakeSSM {
	return &fakeSSM{params: map[string][]*fakeVersion{}, calls: map[string]int{}, batches: map[string][][]string{}}
}

func (f *fakeSSM) seed(name, typ, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	vs := f.params[name]
	f.params[name] = append(vs, &fakeVersion{version: int64(len(vs) + 1), typ: typ, value: value, tier: "Standard"})
}

func (f *fakeSSM) latest(name string) *fakeVersion {
	vs := f.params[name]
	if len(vs) == 0 {
		return nil
	}
	return vs[len(vs)-1]
}

func apiErr(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

func throttle() error { return apiErr("ThrottlingException", "Rate exceeded") }

func (f *fakeSSM) value(v *fakeVersion, decrypt bool) string {
	if v.typ == "SecureString" && !decrypt {
		return "ENCRYPTED(" + strconv.Itoa(len(v.value)) + ")"
	}
	return v.value
}

func (f *fakeSSM) sdkParam(name string, v *fakeVersion, decrypt bool, selector string) types.Parameter {
	p := types.Parameter{Name: aws.String(name), Type: types.ParameterType(v.typ), Value: aws.String(f.value(v, decrypt)), Version: v.version,
		DataType: aws.String("text"), ARN: aws.String("arn:aws:ssm:us-east-1:123456789012:parameter" + name)}
	if selector != "" {
		p.Selector = aws.String(selector)
	}
	return p
}

// resolve finds the version a selector names.
func (f *fakeSSM) resolve(sel string) (string, *fakeVersion, string) {
	name, s, has := strings.Cut(sel, ":")
	vs := f.params[name]
	if len(vs) == 0 {
		return name, nil, ""
	}
	if !has {
		return name, vs[len(vs)-1], ""
	}
	for _, v := range vs {
		if strconv.FormatInt(v.version, 10) == s {
			return name, v, ":" + s
		}
		for _, l := range v.labels {
			if l == s {
				return name, v, ":" + s
			}
		}
	}
	return name, nil, ""
}

func (f *fakeSSM) GetParameter(ctx context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["GetParameter"]++
	name, v, sel := f.resolve(aws.ToString(in.Name))
	if v == nil {
		return nil, &types.ParameterNotFound{Message: aws.String("not found")}
	}
	p := f.sdkParam(name, v, aws.ToBool(in.WithDecryption), sel)
	return &ssm.GetParameterOutput{Parameter: &p}, nil
}

func (f *fakeSSM) GetParameters(ctx context.Context, in *ssm.GetParametersInput, _ ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["GetParameters"]++
	f.batches["GetParameters"] = append(f.batches["GetParameters"], append([]string(nil), in.Names...))
	if len(in.Names) > 10 {
		return nil, apiErr("ValidationException", "more than 10 names")
	}
	out := &ssm.GetParametersOutput{}
	for _, s := range in.Names {
		name, v, sel := f.resolve(s)
		if v == nil {
			out.InvalidParameters = append(out.InvalidParameters, s)
			continue
		}
		if f.noSelector {
			sel = ""
		}
		out.Parameters = append(out.Parameters, f.sdkParam(name, v, aws.ToBool(in.WithDecryption), sel))
	}
	return out, nil
}

func (f *fakeSSM) sortedNames() []string {
	names := make([]string, 0, len(f.params))
	for n, vs := range f.params {
		if len(vs) > 0 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func under(path, name string, recursive bool) bool {
	prefix := strings.TrimSuffix(path, "/") + "/"
	if !strings.HasPrefix(name, prefix) {
		return false
	}
	return recursive || !strings.Contains(name[len(prefix):], "/")
}

// page cuts items at token; the page is short when pageSize says so.
func (f *fakeSSM) page(n int, token *string, max int32) (start, end int, next *string) {
	if token != nil {
		start, _ = strconv.Atoi(*token)
	}
	size := int(max)
	if f.pageSize > 0 && f.pageSize < size {
		size = f.pageSize
	}
	end = min(start+size, n)
	if end < n {
		next = aws.String(strconv.Itoa(end))
	}
	return start, end, next
}

func (f *fakeSSM) GetParametersByPath(ctx context.Context, in *ssm.GetParametersByPathInput, _ ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["GetParametersByPath"]++
	if m := aws.ToInt32(in.MaxResults); m < 1 || m > 10 {
		return nil, apiErr("ValidationException", "MaxResults")
	}
	var names []string
	for _, n := range f.sortedNames() {
		if under(aws.ToString(in.Path), n, aws.ToBool(in.Recursive)) {
			names = append(names, n)
		}
	}
	start, end, next := f.page(len(names), in.NextToken, aws.ToInt32(in.MaxResults))
	out := &ssm.GetParametersByPathOutput{NextToken: next}
	for _, n := range names[start:end] {
		out.Parameters = append(out.Parameters, f.sdkParam(n, f.latest(n), aws.ToBool(in.WithDecryption), ""))
	}
	return out, nil
}

func (f *fakeSSM) DescribeParameters(ctx context.Context, in *ssm.DescribeParametersInput, _ ...func(*ssm.Options)) (*ssm.DescribeParametersOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["DescribeParameters"]++
	var names []string
	for _, n := range f.sortedNames() {
		keep := true
		for _, flt := range in.ParameterFilters {
			switch aws.ToString(flt.Key) {
			case "Path":
				keep = keep && under(flt.Values[0], n, aws.ToString(flt.Option) == "Recursive")
			case "Name":
				ok := false
				for _, v := range flt.Values {
					if aws.ToString(flt.Option) == "BeginsWith" && strings.HasPrefix(n, v) || aws.ToString(flt.Option) == "Equals" && n == v {
						ok = true
					}
				}
				keep = keep && ok
			}
		}
		if keep {
			names = append(names, n)
		}
	}
	start, end, next := f.page(len(names), in.NextToken, aws.ToInt32(in.MaxResults))
	out := &ssm.DescribeParametersOutput{NextToken: next}
	for _, n := range names[start:end] {
		v := f.latest(n)
		out.Parameters = append(out.Parameters, types.ParameterMetadata{Name: aws.String(n), Type: types.ParameterType(v.typ), Version: v.version,
			Tier: types.ParameterTier(v.tier), KeyId: aws.String(v.keyID), Description: aws.String(v.desc), DataType: aws.String("text")})
	}
	return out, nil
}

func (f *fakeSSM) GetParameterHistory(ctx context.Context, in *ssm.GetParameterHistoryInput, _ ...func(*ssm.Options)) (*ssm.GetParameterHistoryOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["GetParameterHistory"]++
	vs := f.params[aws.ToString(in.Name)]
	if len(vs) == 0 {
		return nil, &types.ParameterNotFound{Message: aws.String("not found")}
	}
	start, end, next := f.page(len(vs), in.NextToken, aws.ToInt32(in.MaxResults))
	out := &ssm.GetParameterHistoryOutput{NextToken: next}
	for _, v := range vs[start:end] {
		out.Parameters = append(out.Parameters, types.ParameterHistory{Name: in.Name, Version: v.version, Type: types.ParameterType(v.typ),
			Value: aws.String(f.value(v, aws.ToBool(in.WithDecryption))), Labels: v.labels, Tier: types.ParameterTier(v.tier)})
	}
	return out, nil
}

func (f *fakeSSM) PutParameter(ctx context.Context, in *ssm.PutParameterInput, optFns ...func(*ssm.Options)) (*ssm.PutParameterOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var o ssm.Options
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Retryer == nil || o.Retryer.MaxAttempts() != 1 {
		return nil, apiErr("TestFailure", "PutParameter called with the SDK's retries on")
	}
	f.calls["PutParameter"]++
	f.putCalls++
	name := aws.ToString(in.Name)
	var fault error
	apply := true
	if f.putFault != nil {
		fault, apply = f.putFault(f.putCalls, name)
		if fault != nil && !apply {
			return nil, fault
		}
	}
	vs := f.params[name]
	if len(vs) > 0 && !aws.ToBool(in.Overwrite) {
		return nil, &types.ParameterAlreadyExists{Message: aws.String("The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")}
	}
	typ := string(in.Type)
	if typ == "" && len(vs) > 0 {
		typ = vs[len(vs)-1].typ
	}
	if typ == "" {
		return nil, apiErr("ValidationException", "A parameter type is required when you create a parameter.")
	}
	tier := string(in.Tier)
	if tier == "" {
		tier = "Standard"
	}
	v := &fakeVersion{version: int64(len(vs) + 1), typ: typ, value: aws.ToString(in.Value), tier: tier, keyID: aws.ToString(in.KeyId), desc: aws.ToString(in.Description)}
	f.params[name] = append(vs, v)
	if fault != nil {
		return nil, fault
	}
	return &ssm.PutParameterOutput{Version: v.version, Tier: types.ParameterTier(tier)}, nil
}

func (f *fakeSSM) LabelParameterVersion(ctx context.Context, in *ssm.LabelParameterVersionInput, _ ...func(*ssm.Options)) (*ssm.LabelParameterVersionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["LabelParameterVersion"]++
	vs := f.params[aws.ToString(in.Name)]
	if len(vs) == 0 {
		return nil, &types.ParameterNotFound{Message: aws.String("not found")}
	}
	v := vs[len(vs)-1]
	if in.ParameterVersion != nil {
		v = vs[*in.ParameterVersion-1]
	}
	v.labels = append(v.labels, in.Labels...)
	return &ssm.LabelParameterVersionOutput{ParameterVersion: v.version}, nil
}

func (f *fakeSSM) UnlabelParameterVersion(ctx context.Context, in *ssm.UnlabelParameterVersionInput, _ ...func(*ssm.Options)) (*ssm.UnlabelParameterVersionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["UnlabelParameterVersion"]++
	v := f.params[aws.ToString(in.Name)][*in.ParameterVersion-1]
	out := &ssm.UnlabelParameterVersionOutput{}
	for _, l := range in.Labels {
		i := indexOf(v.labels, l)
		if i < 0 {
			out.InvalidLabels = append(out.InvalidLabels, l)
			continue
		}
		v.labels = append(v.labels[:i], v.labels[i+1:]...)
		out.RemovedLabels = append(out.RemovedLabels, l)
	}
	return out, nil
}

func indexOf(s []string, v string) int {
	for i, e := range s {
		if e == v {
			return i
		}
	}
	return -1
}

func (f *fakeSSM) DeleteParameters(ctx context.Context, in *ssm.DeleteParametersInput, _ ...func(*ssm.Options)) (*ssm.DeleteParametersOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["DeleteParameters"]++
	f.batches["DeleteParameters"] = append(f.batches["DeleteParameters"], append([]string(nil), in.Names...))
	out := &ssm.DeleteParametersOutput{}
	for _, n := range in.Names {
		if len(f.params[n]) == 0 {
			out.InvalidParameters = append(out.InvalidParameters, n)
			continue
		}
		delete(f.params, n)
		out.DeletedParameters = append(out.DeletedParameters, n)
	}
	return out, nil
}

func (f *fakeSSM) ListTagsForResource(ctx context.Context, in *ssm.ListTagsForResourceInput, _ ...func(*ssm.Options)) (*ssm.ListTagsForResourceOutput, error) {
	return &ssm.ListTagsForResourceOutput{}, nil
}

// fakeClock is time that moves only when slept on.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
}

func newTestClient(f *fakeSSM) (*Client, *fakeClock) {
	clk := newFakeClock()
	return &Client{API: f, Clock: clk}, clk
}

func serverError() error {
	return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 500}}, Err: apiErr("InternalServerError", "boom")}
}
