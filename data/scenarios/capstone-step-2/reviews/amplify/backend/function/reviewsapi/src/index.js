// Reviews of the shop's products. The catalogue database belongs to the shop's data stack:
// its endpoint is read at run time from the SSM parameter that stack writes, never imported.
exports.handler = async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ table: process.env.STORAGE_REVIEWSTABLE_NAME, catalogue: process.env.DB_ENDPOINT_PARAMETER }),
});
