process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { benchDatabase } = await import('/work/wt/realtime/bench/env.ts');
const db = await benchDatabase();
const { benchLive } = await import('/work/wt/realtime/bench/live.ts');
const t = Date.now();
try {
  const section = await benchLive({ quick: process.argv.includes('--quick') });
  console.log(JSON.stringify(section, null, 1));
} finally { await db.dynamo.stop(); }
console.log('seconds', (Date.now() - t) / 1000);
