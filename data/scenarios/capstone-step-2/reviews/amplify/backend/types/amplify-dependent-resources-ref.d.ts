export type AmplifyDependentResourcesAttributes = {
  "function": {"reviewsapi": {"Name": "string", "Arn": "string"}},
  "storage": {"reviewstable": {"Name": "string", "Arn": "string"}}
}
