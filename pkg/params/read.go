package params

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/awsretry"
	"github.com/ssmctl/ssmctl/pkg/clock"
)

// Client reads and writes parameters through one SSM client.
type Client struct {
	API API
	// Clock paces bulk writes; nil is the system clock.
	Clock clock.Clock
	// Limiter paces writes and ReadLimiter reads (their quotas are
	// separate); nil makes one on first use.
	Limiter     *Limiter
	ReadLimiter *Limiter
	// Concurrency bounds bulk writes in flight; 0 is DefaultConcurrency.
	Concurrency int
	// Breaker, if set, stops the calls once the endpoint stops
	// answering (awsretry.Breaker); bulk commands set one.
	Breaker *awsretry.Breaker

	mu sync.Mutex
}

// DefaultConcurrency is how many bulk writes are in flight at once.
const DefaultConcurrency = 8

// Parameter is a parameter's value and what GetParameter(s) and
// GetParametersByPath say about it.
type Parameter struct {
	Name         string
	Selector     string // as asked for, e.g. /app/db:prod; Name when none
	Type         string
	Value        string
	Version      int64
	DataType     string
	ARN          string
	LastModified time.Time
}

// Secure reports whether the value is a SecureString.
func (p Parameter) Secure() bool { return p.Type == string(types.ParameterTypeSecureString) }

func fromSDK(p types.Parameter) Parameter {
	return Parameter{
		Name:         aws.ToString(p.Name),
		Selector:     aws.ToString(p.Name),
		Type:         string(p.Type),
		Value:        aws.ToString(p.Value),
		Version:      p.Version,
		DataType:     aws.ToString(p.DataType),
		ARN:          aws.ToString(p.ARN),
		LastModified: aws.ToTime(p.LastModifiedDate),
	}
}

// Get reads parameters by selector (NAME, NAME:VERSION, NAME:LABEL), 10
// per GetParameters call, in the order asked. Selectors AWS does not know
// come back in missing, in the order asked; they are not an error.
//
// A batch never holds two selectors of one name, so each parameter that
// comes back is matched to what was asked by its name alone: the answer's
// Selector field, which AWS fills and some emulators (LocalStack) leave
// out, is not needed.
func (c *Client) Get(ctx context.Context, selectors []string, decrypt bool) (found []Parameter, missing []string, err error) {
	names := map[string]string{} // selector -> name
	for _, s := range selectors {
		sel, err := ParseSelector(s)
		if err != nil {
			return nil, nil, err
		}
		names[s] = sel.Name
	}
	bySel := map[string]Parameter{}
	for _, batch := range selectorBatches(unique(selectors), names) {
		var out *ssm.GetParametersOutput
		err := c.read(ctx, func(ctx context.Context, opt func(*ssm.Options)) error {
			var err error
			out, err = c.API.GetParameters(ctx, &ssm.GetParametersInput{Names: batch, WithDecryption: aws.Bool(decrypt)}, opt)
			return err
		})
		if err != nil {
			return nil, nil, err
		}
		asked := map[string]string{} // name -> the batch's one selector of it
		for _, s := range batch {
			asked[names[s]] = s
		}
		for _, p := range out.Parameters {
			v := fromSDK(p)
			s, ok := asked[v.Name]
			if !ok {
				continue
			}
			v.Selector = s
			bySel[s] = v
		}
	}
	for _, s := range selectors {
		p, ok := bySel[s]
		if !ok {
			missing = append(missing, s)
			continue
		}
		found = append(found, p)
	}
	return found, missing, nil
}

// selectorBatches cuts selectors into GetParameters batches of at most
// BatchSize, in order, placing each in the first batch that has room and
// holds no other selector of its name (names maps a selector to its name).
func selectorBatches(selectors []string, names map[string]string) [][]string {
	var batches [][]string
	var has []map[string]bool
	for _, s := range selectors {
		i := 0
		for ; i < len(batches); i++ {
			if len(batches[i]) < BatchSize && !has[i][names[s]] {
				break
			}
		}
		if i == len(batches) {
			batches = append(batches, nil)
			has = append(has, map[string]bool{})
		}
		batches[i] = append(batches[i], s)
		has[i][names[s]] = true
	}
	return batches
}

// GetOne reads one parameter by selector with GetParameter.
func (c *Client) GetOne(ctx context.Context, selector string, decrypt bool) (Parameter, error) {
	if _, err := ParseSelector(selector); err != nil {
		return Parameter{}, err
	}
	var out *ssm.GetParameterOutput
	err := c.read(ctx, func(ctx context.Context, opt func(*ssm.Options)) error {
		var err error
		out, err = c.API.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(selector), WithDecryption: aws.Bool(decrypt)}, opt)
		return err
	})
	if err != nil {
		return Parameter{}, err
	}
	p := fromSDK(*out.Parameter)
	p.Selector = selector
	return p, nil
}

// ByPath reads every parameter under path (one level, or every level with
// recursive) with GetParametersByPath, following NextToken; pages may come
// back short or empty before the end. The result is sorted by name.
func (c *Client) ByPath(ctx context.Context, path string, recursive, decrypt bool) ([]Parameter, error) {
	path, err := ValidatePath(path)
	if err != nil {
		return nil, err
	}
	var all []Parameter
	p := ssm.NewGetParametersByPathPaginator(c.API, &ssm.GetParametersByPathInput{
		Path: aws.String(path), Recursive: aws.Bool(recursive), WithDecryption: aws.Bool(decrypt), MaxResults: aws.Int32(10),
	})
	for p.HasMorePages() {
		out, err := nextPage(ctx, c, p.NextPage)
		if err != nil {
			return nil, err
		}
		for _, sp := range out.Parameters {
			all = append(all, fromSDK(sp))
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all, nil
}

// Metadata is what DescribeParameters says about a parameter (no value).
type Metadata struct {
	Name             string
	Type             string
	Tier             string
	Version          int64
	KeyID            string
	Description      string
	AllowedPattern   string
	DataType         string
	LastModified     time.Time
	LastModifiedUser string
	Policies         []string
	// Labels maps each label to the version it is on; filled by Labels.
	Labels map[string]int64
}

func metadataFromSDK(m types.ParameterMetadata) Metadata {
	md := Metadata{
		Name:             aws.ToString(m.Name),
		Type:             string(m.Type),
		Tier:             string(m.Tier),
		Version:          m.Version,
		KeyID:            aws.ToString(m.KeyId),
		Description:      aws.ToString(m.Description),
		AllowedPattern:   aws.ToString(m.AllowedPattern),
		DataType:         aws.ToString(m.DataType),
		LastModified:     aws.ToTime(m.LastModifiedDate),
		LastModifiedUser: aws.ToString(m.LastModifiedUser),
	}
	for _, p := range m.Policies {
		md.Policies = append(md.Policies, aws.ToString(p.PolicyText))
	}
	return md
}

// Describe lists parameter metadata under path with DescribeParameters'
// Path filter (OneLevel, or Recursive), following NextToken. An empty path
// lists every parameter. The result is sorted by name.
func (c *Client) Describe(ctx context.Context, path string, recursive bool) ([]Metadata, error) {
	in := &ssm.DescribeParametersInput{MaxResults: aws.Int32(50)}
	if path != "" {
		p, err := ValidatePath(path)
		if err != nil {
			return nil, err
		}
		option := "OneLevel"
		if recursive {
			option = "Recursive"
		}
		in.ParameterFilters = []types.ParameterStringFilter{{Key: aws.String("Path"), Option: aws.String(option), Values: []string{p}}}
	}
	return c.describe(ctx, in, 0)
}

// AnyUnder reports whether any parameter lies under path, at any level
// (DescribeParameters, Path Recursive; one call unless AWS answers short
// pages).
func (c *Client) AnyUnder(ctx context.Context, path string) (bool, error) {
	p, err := ValidatePath(path)
	if err != nil {
		return false, err
	}
	in := &ssm.DescribeParametersInput{MaxResults: aws.Int32(1), ParameterFilters: []types.ParameterStringFilter{
		{Key: aws.String("Path"), Option: aws.String("Recursive"), Values: []string{p}},
	}}
	md, err := c.describe(ctx, in, 1)
	return len(md) > 0, err
}

// DescribeNames returns metadata for exactly these names (DescribeParameters
// with the Name Equals filter, 10 names per filter), sorted by name; names
// that do not exist are absent.
func (c *Client) DescribeNames(ctx context.Context, names []string) ([]Metadata, error) {
	var all []Metadata
	for _, batch := range chunks(unique(names), BatchSize) {
		in := &ssm.DescribeParametersInput{MaxResults: aws.Int32(50), ParameterFilters: []types.ParameterStringFilter{
			{Key: aws.String("Name"), Option: aws.String("Equals"), Values: batch},
		}}
		md, err := c.describe(ctx, in, 0)
		if err != nil {
			return nil, err
		}
		all = append(all, md...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all, nil
}

// DescribePrefix lists up to limit parameters whose names begin with
// prefix (for completion).
func (c *Client) DescribePrefix(ctx context.Context, prefix string, limit int) ([]Metadata, error) {
	in := &ssm.DescribeParametersInput{MaxResults: aws.Int32(50)}
	if prefix != "" {
		in.ParameterFilters = []types.ParameterStringFilter{{Key: aws.String("Name"), Option: aws.String("BeginsWith"), Values: []string{prefix}}}
	}
	return c.describe(ctx, in, limit)
}

func (c *Client) describe(ctx context.Context, in *ssm.DescribeParametersInput, limit int) ([]Metadata, error) {
	var all []Metadata
	p := ssm.NewDescribeParametersPaginator(c.API, in)
	for p.HasMorePages() {
		out, err := nextPage(ctx, c, p.NextPage)
		if err != nil {
			return nil, err
		}
		for _, m := range out.Parameters {
			all = append(all, metadataFromSDK(m))
		}
		if limit > 0 && len(all) >= limit {
			break
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all, nil
}

// Version is one version of a parameter, from GetParameterHistory.
type Version struct {
	Name             string
	Version          int64
	Type             string
	Value            string
	Tier             string
	KeyID            string
	Description      string
	AllowedPattern   string
	DataType         string
	Labels           []string
	LastModified     time.Time
	LastModifiedUser string
	Policies         []string
}

// History lists every version AWS keeps of name, oldest first.
func (c *Client) History(ctx context.Context, name string, decrypt bool) ([]Version, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	var all []Version
	p := ssm.NewGetParameterHistoryPaginator(c.API, &ssm.GetParameterHistoryInput{Name: aws.String(name), WithDecryption: aws.Bool(decrypt), MaxResults: aws.Int32(50)})
	for p.HasMorePages() {
		out, err := nextPage(ctx, c, p.NextPage)
		if err != nil {
			return nil, err
		}
		for _, h := range out.Parameters {
			v := Version{
				Name: aws.ToString(h.Name), Version: h.Version, Type: string(h.Type), Value: aws.ToString(h.Value),
				Tier: string(h.Tier), KeyID: aws.ToString(h.KeyId), Description: aws.ToString(h.Description),
				AllowedPattern: aws.ToString(h.AllowedPattern), DataType: aws.ToString(h.DataType), Labels: h.Labels,
				LastModified: aws.ToTime(h.LastModifiedDate), LastModifiedUser: aws.ToString(h.LastModifiedUser),
			}
			for _, pol := range h.Policies {
				v.Policies = append(v.Policies, aws.ToString(pol.PolicyText))
			}
			all = append(all, v)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Version < all[j].Version })
	return all, nil
}

// Labels fills md[i].Labels from each parameter's history (one
// GetParameterHistory listing per parameter, values not decrypted).
func (c *Client) Labels(ctx context.Context, md []Metadata) error {
	for i := range md {
		hist, err := c.History(ctx, md[i].Name, false)
		if err != nil {
			return err
		}
		md[i].Labels = map[string]int64{}
		for _, v := range hist {
			for _, l := range v.Labels {
				md[i].Labels[l] = v.Version
			}
		}
	}
	return nil
}

// Tags lists a parameter's tags.
func (c *Client) Tags(ctx context.Context, name string) (map[string]string, error) {
	out, err := c.API.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String(name)})
	if err != nil {
		return nil, err
	}
	tags := map[string]string{}
	for _, t := range out.TagList {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// IsNotFound reports whether err is AWS's ParameterNotFound (or
// ParameterVersionNotFound).
func IsNotFound(err error) bool {
	var nf *types.ParameterNotFound
	var vnf *types.ParameterVersionNotFound
	return errors.As(err, &nf) || errors.As(err, &vnf)
}

// Relative is name relative to path: "/app/db/url" under "/app" is
// "db/url"; under "/" it is "app/db/url".
func Relative(path, name string) string {
	if path == "/" {
		return strings.TrimPrefix(name, "/")
	}
	return strings.TrimPrefix(strings.TrimPrefix(name, path), "/")
}

// Join puts a relative key under path.
func Join(path, key string) string {
	key = strings.Trim(key, "/")
	if path == "/" || path == "" {
		return "/" + key
	}
	return strings.TrimSuffix(path, "/") + "/" + key
}

func chunks[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > n {
		out = append(out, s[:n:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

func unique(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func sortStrings(s []string) { sort.Strings(s) }

// nextPage fetches a paginator's next page through c.read; a failed page
// leaves the paginator where it was, so it can be asked again.
func nextPage[O any](ctx context.Context, c *Client, next func(context.Context, ...func(*ssm.Options)) (O, error)) (O, error) {
	var out O
	err := c.read(ctx, func(ctx context.Context, opt func(*ssm.Options)) error {
		var err error
		out, err = next(ctx, opt)
		return err
	})
	return out, err
}
