exports.handler = async () => ({ statusCode: 200, body: process.env.STORAGE_NOTESTABLE_NAME });
