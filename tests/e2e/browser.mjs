// The pages in a real browser: log in with a minted session, register a
// sender address, add a domain and see both records, delete it. Prints one
// "ok - …" / "not ok - …" line per assertion (counted by tests/run.sh).
import { chromium } from 'playwright-core';
import { appendFileSync, readFileSync } from 'node:fs';

const url = process.env.SA_URL;
const shots = process.env.SA_SHOTS;
let failures = 0;
function check(name, cond) {
	console.log(`${cond ? 'ok' : 'not ok'} - ${name}`);
	if (!cond) failures++;
}

const browser = await chromium.launch({
	executablePath: '/usr/bin/chromium',
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		'--no-first-run', '--disable-background-networking',
		'--disable-component-update', '--disable-sync'],
});
try {
	const context = await browser.newContext({ locale: 'ja-JP' });
	await context.addCookies([{ name: 'sa_session', value: process.env.SA_COOKIE,
		url: url }]);
	const page = await context.newPage();
	const errors = [];
	page.on('pageerror', (e) => errors.push(String(e)));
	// Console errors include Content-Security-Policy violations. The
	// favicon is the portal's (the dev server has none).
	const consoleErrors = [];
	page.on('console', (m) => {
		const where = m.location().url;
		if (m.type() === 'error' && !where.endsWith('/favicon.ico'))
			consoleErrors.push(`${m.text()} (${where})`);
	});

	let res = await page.goto(`${url}/mail-settings/`);
	check('page loads with the session', res.status() === 200);
	check('title in Japanese', (await page.content()).includes('メール設定'));
	check('stylesheet from /mail-settings/static/ applied',
		await page.evaluate(() => getComputedStyle(document.body).backgroundColor) === 'rgb(243, 244, 246)');
	check('empty address list', await page.getByText('メールアドレス情報が登録されていません').count() > 0);

	// register an address
	const reg = page.locator(`form[action$="register"]`).first();
	await reg.locator('[name="address"]').fill('taro@example.jp');
	await reg.locator('[name="smtp_password"]').fill('browser-secret');
	await reg.locator('[name="note"]').fill('<b>営業部</b>');
	await Promise.all([page.waitForNavigation(), reg.locator('button[type="submit"], input[type="submit"]').first().click()]);
	const html = await page.content();
	check('notice after registering', html.includes('アカウント設定を更新しました'));
	check('address in the list', await page.getByText('taro@example.jp').count() > 0);
	check('note shown as text, not markup', await page.getByText('<b>営業部</b>').count() > 0);
	check('password never in the page', !html.includes('browser-secret'));
	await page.screenshot({ path: `${shots}/01-address-registered.png`, fullPage: true });

	// add a domain, see both records
	const add = page.locator(`form[action$="add-domain"]`).first();
	await add.locator('[name="domain"]').fill('Example.JP');
	await Promise.all([page.waitForNavigation(), add.locator('button[type="submit"], input[type="submit"]').first().click()]);
	const html2 = await page.content();
	check('notice after adding a domain', html2.includes('発行が完了しました。'));
	check('SPF record shown', html2.includes('v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all'));
	check('DKIM record shown', /v=DKIM1; k=rsa; p=[A-Za-z0-9+\/]{100,}/.test(html2));
	check('DKIM host shown', /\d{8}\._domainkey\.example\.jp/.test(html2));
	check('status 未設定 shown', html2.includes('未設定'));
	const copy = page.locator('button[data-copy]').first();
	check('copy buttons revealed by /mail-settings/static/senderauth.js', await copy.isVisible());
	await copy.click();
	await page.waitForFunction(() => document.querySelector('button[data-copy]').textContent === 'コピーしました', null, { timeout: 3000 });
	check('copy button answers a click', true);
	await page.screenshot({ path: `${shots}/02-domain-added.png`, fullPage: true });

	// delete it, confirming on the page (no JavaScript needed)
	const del = page.locator('form[action$="delete"]:has(input[name="kind"][value="domain"])').first();
	await Promise.all([page.waitForNavigation(), del.locator('button[type="submit"], input[type="submit"]').first().click()]);
	check('confirmation asked', (await page.content()).includes('example.jp'));
	await page.screenshot({ path: `${shots}/03-delete-confirm.png`, fullPage: true });
	const conf = page.locator('form[action$="delete"]:has(input[name="confirm"])').first();
	await Promise.all([page.waitForNavigation(), conf.locator('button[type="submit"], input[type="submit"]').first().click()]);
	check('domain gone after deleting', await page.getByText('ドメインが登録されていません').count() > 0);
	await page.screenshot({ path: `${shots}/04-domain-deleted.png`, fullPage: true });

	// add a domain, publish what the page says in NSD, 今すぐ確認 -> 設定済
	const add2 = page.locator(`form[action$="add-domain"]`).first();
	await add2.locator('[name="domain"]').fill('mail.example.jp');
	await Promise.all([page.waitForNavigation(), add2.locator('button[type="submit"], input[type="submit"]').first().click()]);
	const rec = await page.evaluate(async () => {
		const xml = await (await fetch('/mail-settings/api/')).text();
		const d = new DOMParser().parseFromString(xml, 'text/xml');
		const dom = d.querySelector('domain[name="mail.example.jp"]');
		return { spf: dom.querySelector('spf > record').getAttribute('value'),
			zone: dom.querySelector('dkim > record').getAttribute('zone') };
	});
	check('records read from the API', rec.spf.startsWith('v=spf1') && rec.zone.includes('_domainkey'));
	appendFileSync(process.env.SA_ZONE_FILE, `mail IN TXT "${rec.spf}"\n${rec.zone}\n`);
	process.kill(Number(readFileSync(process.env.SA_NSD_PIDFILE, 'utf8').trim()), 'SIGHUP');
	await new Promise((r) => setTimeout(r, 1500));
	const chk = page.locator('form[action$="check"]').first();
	await Promise.all([page.waitForNavigation(), chk.locator('button[type="submit"], input[type="submit"]').first().click()]);
	const html3 = await page.content();
	check('check notice shown', html3.includes('DNSを確認しました'));
	check('SPF and DKIM both ✔ 設定済', (html3.match(/✔ 設定済/g) || []).length === 2);
	check('no 未設定 left', !html3.includes('未設定'));
	await page.screenshot({ path: `${shots}/05-verified.png`, fullPage: true });
	check('no JavaScript errors', errors.length === 0);
	check(`no console errors (CSP violations included)${consoleErrors.length ? ': ' + consoleErrors[0] : ''}`,
		consoleErrors.length === 0);
} catch (e) {
	check(`browser run: ${e.message.split('\n')[0]}`, false);
} finally {
	await browser.close();
}
process.exit(failures ? 1 : 0);
