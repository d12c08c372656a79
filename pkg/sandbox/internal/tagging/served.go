package tagging

// Serve makes the SSM tag operations serve resourceType (one of the
// model's ResourceTypeForTagging values) from t, an area opened after
// this one: OpsItem from the OpsCenter area (the ResourceId is the
// OpsItem's ID).
func (a *Area) Serve(resourceType string, t taggable) {
	if a.served == nil {
		a.served = map[string]taggable{}
	}
	a.served[resourceType] = t
}
