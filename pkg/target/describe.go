// Listing managed nodes with DescribeInstanceInformation: every page, or
// the nodes of a list of IDs.

package target

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// errListStopped ends a node listing whose result is no longer needed.
var errListStopped = errors.New("listing stopped")

// describe lists managed nodes with the given filters, every page. The pages
// cannot overlap: each needs the NextToken of the one before. Once stop is
// closed, describe fails with errListStopped after the call under way.
func (r *Resolver) describe(ctx context.Context, filters []ssmtypes.InstanceInformationStringFilter, stop <-chan struct{}) ([]ssmtypes.InstanceInformation, error) {
	if r.SSM == nil {
		return nil, errors.New("target: Resolver has no SSM client")
	}
	p := ssm.NewDescribeInstanceInformationPaginator(r.SSM, &ssm.DescribeInstanceInformationInput{
		Filters:    filters,
		MaxResults: aws.Int32(describePageSize),
	}, func(o *ssm.DescribeInstanceInformationPaginatorOptions) { o.StopOnDuplicateToken = true })
	var out []ssmtypes.InstanceInformation
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list managed nodes: %w", err)
		}
		out = append(out, page.InstanceInformationList...)
		select {
		case <-stop:
			return nil, errListStopped
		default:
		}
	}
	return out, nil
}

// describeIDs lists the given nodes. With strict, the IDs were given by the
// user and each must be a managed node; otherwise (group members, which may
// be instances without the agent) unknown IDs are left out. stop is
// describe's.
func (r *Resolver) describeIDs(ctx context.Context, ids, ping []string, strict bool, stop <-chan struct{}) ([]ssmtypes.InstanceInformation, error) {
	var out []ssmtypes.InstanceInformation
	var err error
	for start := 0; start < len(ids); start += maxFilterValues {
		batch := ids[start:min(start+maxFilterValues, len(ids))]
		filters := []ssmtypes.InstanceInformationStringFilter{{Key: aws.String("InstanceIds"), Values: batch}}
		if len(ping) > 0 {
			filters = append(filters, pingFilter(ping)...)
		}
		var page []ssmtypes.InstanceInformation
		page, err = r.describe(ctx, filters, stop)
		if err != nil {
			break
		}
		out = append(out, page...)
	}
	var invalid *ssmtypes.InvalidInstanceId
	switch {
	case err == nil:
		if strict && len(ping) == 0 {
			if missing := missingIDs(ids, out); len(missing) > 0 {
				return nil, exitcode.Usagef("no managed node %s", strings.Join(missing, ", "))
			}
		}
		return out, nil
	case !errors.As(err, &invalid):
		return nil, err
	}
	// AWS rejects the whole batch; list every node to tell which IDs are
	// unknown (strict) or to keep just the managed ones.
	all, err2 := r.describe(ctx, nil, stop)
	if err2 != nil {
		return nil, err2
	}
	if strict {
		if missing := missingIDs(ids, all); len(missing) > 0 {
			return nil, exitcode.Usagef("no managed node %s", strings.Join(missing, ", "))
		}
		return nil, err
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	out = out[:0]
	for _, info := range all {
		if want[aws.ToString(info.InstanceId)] && (len(ping) == 0 || slices.Contains(ping, string(info.PingStatus))) {
			out = append(out, info)
		}
	}
	return out, nil
}

func missingIDs(ids []string, infos []ssmtypes.InstanceInformation) []string {
	have := map[string]bool{}
	for _, info := range infos {
		have[aws.ToString(info.InstanceId)] = true
	}
	var missing []string
	for _, id := range ids {
		if !have[id] {
			missing = append(missing, id)
		}
	}
	return missing
}
