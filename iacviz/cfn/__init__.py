"""The CloudFormation language and its resource types: intrinsic functions, conditions,
modality and update behaviour. The base layer: it knows no file and no estate."""
