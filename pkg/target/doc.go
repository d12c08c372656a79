// Package target turns target specs (node IDs, names and globs, tags,
// resource groups and @aliases) into the managed nodes they denote.
//
// # Grammar
//
// A spec is one of:
//
//	i-0123456789abcdef0         a node ID: "i-" and 8 or 17 lowercase hex digits,
//	mi-0123456789abcdef0        or "mi-" and 17 (the SSM InstanceId pattern)
//	tag:Key=Value[,Value2...]   nodes whose tag Key has one of the values
//	NAME, web-*                 a name or a glob matched against the node's
//	                            Name tag, managed-node Name and ComputerName
//	group:ResourceGroupName     members of an AWS resource group
//	@alias                      specs from the aliases in ssmctl's config
//
// Rules, and where they come from:
//
//   - Anything shaped like an ID ("i-" or "mi-" followed by one run of letters
//     and digits, in any case) must be a valid ID: "i-xyz", "i-0123" and
//     upper-case hex are errors, not names. A node really named like that is
//     reached with a one-character class: "[i]-xyz".
//   - Tag keys are 1 to 128 characters and values 0 to 256 (SSM model shapes
//     TagKey and TagValue). Characters are not restricted further: EC2 allows
//     tag characters that SSM's own tags do not, and a target must be able to
//     name any tag that exists. The key ends at the first "=", so keys that
//     contain "=" cannot be targeted. Values are split at commas and match
//     if any one matches, so a value containing a comma (which EC2, unlike
//     the other services' tags, allows) cannot be targeted. "tag:Key="
//     matches the empty value; an empty value inside a list ("a,,b", "a,") is
//     an error. At most 50 values, the limit of Targets values (SSM model
//     shape TargetValues). "tag:Key" without "=" is an error: AWS tag targets
//     ("Key=tag:Key,Values=...") select by value, and "any value" has no spec.
//     "tag-key:" is not part of the grammar and is rejected.
//   - Names and globs are case-sensitive, as AWS tags are. A spec containing
//     any of * ? [ \ is a glob with path.Match syntax (invalid syntax is an
//     error); unlike path.Match, "*" and "?" also match "/", since Name tags
//     are not paths. Names are at most 256 characters.
//   - Group names follow the Resource Groups GroupName shape: 1 to 300 of
//     A-Z a-z 0-9 _ . - (or up to 150 of them, "/" and a 26-character
//     lower-case suffix). ARNs are not accepted, because Run Command's
//     "resource-groups:Name" target takes a name.
//   - Aliases are expanded by ParseAll, recursively, from a map keyed by
//     the alias name without "@"; an unknown alias or a cycle is an error
//     that names the chain. Duplicate specs are dropped.
//
// Control characters and invalid UTF-8 are rejected in every spec, and
// prefixes are lower-case ("Tag:Env=prod" is an error, not a name).
//
// Every parse error is an exitcode usage error (exit 252) of one line that
// names the spec.
//
// # Semantics
//
// Node-ID specs and name/glob specs are alternatives: a node is selected if
// any of them matches it (union). Tag specs and group specs are constraints:
// every one of them must hold (intersection), as with several AWS Targets.
// No alternatives means every managed node, narrowed by the constraints. The
// ping-status filter of a Query is one more constraint.
//
// An explicit node ID that is not a managed node is a usage error, "no
// managed node i-..." (exit 252), whether AWS reports it (InvalidInstanceId,
// after which one unfiltered listing tells which IDs are unknown) or just
// leaves it out; with a ping filter, a left-out ID is not told apart from
// one filtered out by ping status. IDs are checked before tag constraints. A
// query with specs that selects nothing is a usage error "no managed node
// matches ..."; with Query.FilterMayEmpty (a listing), specs that select
// nodes of which the ping filter keeps none give an empty result instead. A single name or glob that matches nothing is not an error
// while others match. Other AWS errors are returned wrapped, so their exit
// code is the AWS one (254).
//
// Node.Name, the display name, is the Name tag, else the managed node's Name,
// else its ComputerName. The Name tag is only known when tags were read: for
// name specs, or when Query.WithTags is set. Nodes are sorted by display name
// and then ID.
//
// # API calls
//
// Nodes come from DescribeInstanceInformation (MaxResults 50, the maximum of
// MaxResultsEC2Compatible) with server-side filters where AWS allows them:
// InstanceIds in batches of at most 100 values (InstanceInformationFilterValueSet)
// when the candidates are known (explicit IDs, group members); otherwise tag
// filters "tag:Key" for tag specs, or PingStatus. AWS does not combine tag
// filters with other filter types, so with tag filters the ping status is
// checked on the client, and tag specs that a filter cannot express (an empty
// value, which filter values forbid) are checked against the node's tags.
//
// Tags are EC2 tags (or managed-instance tags for mi- nodes), read with the
// Resource Groups Tagging API GetResources, and only when needed: name specs
// need Name tags, WithTags needs every tag, tag specs checked on the client
// need their keys. A query of IDs only or of tags only, without WithTags,
// makes no tagging call. Literal names (up to 20, the TagFilter value limit)
// are looked up as Name tag values in one filtered listing, usually one
// call; nodes selected otherwise then have their Name tag read for display.
// When the Resolver knows the account and region, tags of up to 1,000 known
// nodes are read by ARN, 100 per call (ResourceARNListForGet); otherwise
// GetResources pages (ResourcesPerPage 100) through ec2:instance and
// ssm:managed-instance resources, with TagFilters that narrow the listing.
// A tag read that is such a listing (or the lookup by Name value) does not
// depend on the nodes, so it runs at the same time as the node listing, with
// the same calls and errors: a listing error cancels the tag read and comes
// first, a tag error stops the listing after its call under way, and when
// the listing finds no node the tag read is dropped. The pages of each
// listing are sequential, each needing the previous page's token.
// If GetResources is denied, names match the managed-node Name and
// ComputerName only and a warning goes to Resolver.Warn; tag specs that need
// client-side tags then fail with the AWS error.
//
// Group specs list members with ListGroupResources (MaxResults 50); EC2
// instance and SSM managed-instance ARNs become node IDs.
package target
