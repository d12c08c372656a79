package secrets

import (
	"context"
	"sort"
	"strings"

	"github.com/ssmctl/ssmctl/pkg/envexec"
)

// Env reads each secret's AWSCURRENT value and makes the environment
// variables `secret exec` sets: a JSON object's keys, each in upper-snake
// case (nested objects and arrays as their JSON); a secret that is not a
// JSON object is one variable named after the secret's last name segment.
// A later secret overrides an earlier one's variable of the same name.
func (c *Client) Env(ctx context.Context, ids []string) ([]envexec.Var, []envexec.Override, error) {
	var vars envexec.Set
	for _, id := range ids {
		v, err := c.Get(ctx, id, "", "")
		if err != nil {
			return nil, nil, err
		}
		if v.String == nil {
			vars.Add(envexec.Name(lastSegment(v.Name)), string(v.Binary), v.Name)
			continue
		}
		var obj map[string]any
		if decodeObject(*v.String, &obj) != nil || obj == nil {
			vars.Add(envexec.Name(lastSegment(v.Name)), *v.String, v.Name)
			continue
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			vars.Add(envexec.Name(k), render(obj[k]), v.Name+"."+k)
		}
	}
	return vars.Vars, vars.Overrides, nil
}

// lastSegment is the part of a name after its last slash.
func lastSegment(name string) string {
	if i := strings.LastIndex(name, "/"); i >= 0 && i < len(name)-1 {
		return name[i+1:]
	}
	return name
}
