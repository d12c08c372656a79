package opsitems

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// Related items: AssociateOpsItemRelatedItem and friends.

// AssociationTypes are the association types OpsCenter supports.
var AssociationTypes = []string{"RelatesTo", "IsParentOf"}

// RelatedItem is one related item of an OpsItem.
type RelatedItem struct {
	AssociationID, AssociationType, ResourceType, ResourceURI, CreatedBy string
	Created                                                              time.Time
}

// ResourceType is the resource type OpsCenter knows an ARN by: it
// supports Systems Manager documents and Incident Manager incidents as
// related items. Other ARNs are related resources (/aws/resources).
func ResourceType(arn string) (string, error) {
	if err := CheckARN(arn); err != nil {
		return "", err
	}
	parts := strings.SplitN(arn, ":", 6)
	switch {
	case parts[2] == "ssm" && strings.HasPrefix(parts[5], "document/"):
		return "AWS::SSM::Document", nil
	case parts[2] == "ssm-incidents" && strings.HasPrefix(parts[5], "incident-record/"):
		return "AWS::SSMIncidents::IncidentRecord", nil
	}
	return "", usage("%s is neither an SSM document nor an Incident Manager incident, the related items OpsCenter supports; "+
		"list other resources with ssmctl opsitem update ID --resource ARN", arn)
}

// Relate associates a related item (an SSM document or an Incident
// Manager incident, by ARN) with an OpsItem and returns the association's
// ID.
func (c *Client) Relate(ctx context.Context, id, arn, associationType string) (string, error) {
	typ, err := ResourceType(arn)
	if err != nil {
		return "", err
	}
	out, err := c.API.AssociateOpsItemRelatedItem(ctx, &ssm.AssociateOpsItemRelatedItemInput{
		OpsItemId: aws.String(id), AssociationType: aws.String(associationType),
		ResourceType: aws.String(typ), ResourceUri: aws.String(arn),
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.AssociationId), nil
}

// Unrelate removes an association.
func (c *Client) Unrelate(ctx context.Context, id, associationID string) error {
	_, err := c.API.DisassociateOpsItemRelatedItem(ctx, &ssm.DisassociateOpsItemRelatedItemInput{
		OpsItemId: aws.String(id), AssociationId: aws.String(associationID),
	})
	return err
}

// Related lists an OpsItem's related items, every page.
func (c *Client) Related(ctx context.Context, id string) ([]RelatedItem, error) {
	in := &ssm.ListOpsItemRelatedItemsInput{OpsItemId: aws.String(id), MaxResults: aws.Int32(50)}
	var out []RelatedItem
	p := ssm.NewListOpsItemRelatedItemsPaginator(c.API, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range page.Summaries {
			r := RelatedItem{AssociationID: aws.ToString(s.AssociationId), AssociationType: aws.ToString(s.AssociationType),
				ResourceType: aws.ToString(s.ResourceType), ResourceURI: aws.ToString(s.ResourceUri), Created: aws.ToTime(s.CreatedTime)}
			if s.CreatedBy != nil {
				r.CreatedBy = aws.ToString(s.CreatedBy.Arn)
			}
			out = append(out, r)
		}
	}
	return out, nil
}
