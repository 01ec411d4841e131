export type AmplifyDependentResourcesAttributes = {
  "storage": {"notestable": {"Name": "string", "Arn": "string", "StreamArn": "string"}}
}
