// The pages in a real browser: log in with a minted session, register a
// sender address, add a domain and see both records, delete it; the demo's
// path (publish with tests/tools/demo-publish.sh, the verifier loop turns
// the domain ✔ 設定済 without 今すぐ確認) and a DKIM key rotation. Prints
// one "ok - …" / "not ok - …" line per assertion (counted by tests/run.sh).
import { chromium } from 'playwright-core';
import { appendFileSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const url = process.env.SA_URL;
const shots = process.env.SA_SHOTS;
let failures = 0;
function check(name, cond) {
	console.log(`${cond ? 'ok' : 'not ok'} - ${name}`);
	if (!cond) failures++;
}

// The page's Japanese texts, from the catalogue the stylesheet uses: msg(k)
// is the text of k; msgRe(k) matches it with its parameter as ([^<>]+?).
const catalogue = readFileSync(new URL('../../xsl/messages.ja.xml', import.meta.url), 'utf8');
function msgSource(k) {
	const m = catalogue.match(new RegExp(`match="k:${k.replace(/\./g, '\\.')}">(.*?)</xsl:template>`));
	if (!m) throw new Error(`no message ${k} in messages.ja.xml`);
	return m[1].replace(/<xsl:param [^>]*\/>/g, '');
}
const msg = (k) => msgSource(k);
const msgRe = (k) => new RegExp(msgSource(k).split(/<xsl:value-of [^>]*\/>/)
	.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('([^<>]+?)'));

// publish DOMAIN in the demo's DNS with the tool `make run` prints.
function publish(domain) {
	return execFileSync(process.env.SA_PUBLISH, ['--dir', process.env.SA_DEMO_DIR, domain],
		{ encoding: 'utf8' });
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

	// The domain's status cells (SPF, DKIM: not the chips of its heading)
	// and its API element; the domain named by a notice of the page.
	const verified = msg('status.verified');
	const cells = (id) => page.locator(`#domain-${id} > .scroll`).first()
		.locator('tbody > tr > td:nth-child(2) > .st, tbody > tr > td:nth-child(3) > .st');
	const apiDomain = (name) => page.evaluate(async (name) => {
		const xml = await (await fetch('/mail-settings/api/')).text();
		const d = new DOMParser().parseFromString(xml, 'text/xml').querySelector(`domain[name="${name}"]`);
		const sel = (q) => d.querySelector(q)?.getAttribute('selector') ?? '';
		return { id: d.getAttribute('id'), active: sel('dkim'), state: d.querySelector('dkim').getAttribute('state'),
			next: sel('dkim > next'), retiring: sel('dkim > retiring'),
			until: d.querySelector('dkim > retiring')?.getAttribute('until') ?? '' };
	}, name);
	async function bothVerified(id) {
		const t = await cells(id).allTextContents();
		return t.length === 2 && t.every((x) => x.trim() === verified);
	}
	const notice = (html, code) => msgRe(`notice.${code}.domain`).exec(html)?.[1];

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
	check('notice after adding a domain', notice(html2, 'issued') === 'example.jp');
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
	const del = page.locator('form[action*="delete"]:has(input[name="kind"][value="domain"])').first();
	await Promise.all([page.waitForNavigation(), del.locator('button[type="submit"], input[type="submit"]').first().click()]);
	check('confirmation asked', (await page.content()).includes('example.jp'));
	await page.screenshot({ path: `${shots}/03-delete-confirm.png`, fullPage: true });
	const conf = page.locator('form[action*="delete"]:has(input[name="confirm"])').first();
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
		return { id: dom.getAttribute('id'), spf: dom.querySelector('spf > record').getAttribute('value'),
			zone: dom.querySelector('dkim > record').getAttribute('zone') };
	});
	check('records read from the API', rec.spf.startsWith('v=spf1') && rec.zone.includes('_domainkey'));
	appendFileSync(process.env.SA_ZONE_FILE, `mail IN TXT "${rec.spf}"\n${rec.zone}\n`);
	process.kill(Number(readFileSync(process.env.SA_NSD_PIDFILE, 'utf8').trim()), 'SIGHUP');
	await new Promise((r) => setTimeout(r, 1500));
	const chk = page.locator(`#domain-${rec.id} form[action*="check"]`);
	await Promise.all([page.waitForNavigation(), chk.locator('button[type="submit"], input[type="submit"]').first().click()]);
	const html3 = await page.content();
	check('check notice shown', notice(html3, 'checked') === 'mail.example.jp');
	check('SPF and DKIM both ✔ 設定済', await bothVerified(rec.id));
	check('no 未設定 left', !html3.includes('未設定'));
	await page.screenshot({ path: `${shots}/05-verified.png`, fullPage: true });

	// The demo: add a domain, publish it with the printed tool, and the
	// verifier loop turns it ✔ 設定済 without 今すぐ確認; reload until it
	// does (bounded: the loop runs every 5 s).
	async function reloadUntil(cond, seconds) {
		const end = Date.now() + seconds * 1000;
		for (;;) {
			if (await cond()) return true;
			if (Date.now() > end) return false;
			await new Promise((r) => setTimeout(r, 1000));
			await page.reload();
		}
	}
	const add3 = page.locator(`form[action$="add-domain"]`).first();
	await add3.locator('[name="domain"]').fill('shop.example.com');
	await Promise.all([page.waitForNavigation(), add3.locator('button[type="submit"], input[type="submit"]').first().click()]);
	const shop = await apiDomain('shop.example.com');
	check('demo: domain added, key pending', shop.state === 'pending' && /^\d{8}/.test(shop.active));
	// the loop's first verdict: the domain exists, its records do not
	check('demo: 未設定 before publishing, with the reason',
		await reloadUntil(async () => (await page.locator(`#domain-${shop.id}`).textContent())
			.includes(msg('spf.reason.no_record')), 30) &&
		(await cells(shop.id).allTextContents()).every((x) => x.includes(msg('status.unverified'))));
	await page.screenshot({ path: `${shots}/06-demo-added.png`, fullPage: true });
	const out = publish('shop.example.com');
	check('demo: publish tool publishes SPF and the DKIM record', /2 records of shop\.example\.com/.test(out));
	await page.goto(`${url}/mail-settings/`);
	check('demo: ✔ 設定済 for SPF and DKIM without 今すぐ確認, after reloading',
		await reloadUntil(() => bothVerified(shop.id), 60));
	check('demo: the key is active', (await apiDomain('shop.example.com')).state === 'active');
	await page.screenshot({ path: `${shots}/07-demo-verified.png`, fullPage: true });

	// Rotation: 「DKIMキーを更新」 asks first, then issues a key beside the
	// active one; the domain stays ✔ 設定済 throughout.
	const rot = page.locator(`#domain-${shop.id} form[action*="reissue"]:has(input[name="rotate"])`);
	check('rotation: the card offers 「DKIMキーを更新」', (await rot.textContent()).trim() === msg('btn.dkim_update'));
	await Promise.all([page.waitForNavigation(), rot.locator('button[type="submit"]').click()]);
	const ask = await page.content();
	check('rotation: confirmation asked for the domain', msgRe('confirm.rotate').exec(ask)?.[1] === 'shop.example.com');
	check('rotation: the confirmation says what happens', ask.includes(msg('confirm.rotate.body')));
	check('rotation: nothing issued before confirming', (await apiDomain('shop.example.com')).next === '');
	await page.screenshot({ path: `${shots}/08-rotate-confirm.png`, fullPage: true });
	const yes = page.locator('form[action*="reissue"]:has(input[name="confirm"])');
	await Promise.all([page.waitForNavigation(), yes.locator('button[type="submit"]').click()]);
	const rotating = await apiDomain('shop.example.com');
	const card = page.locator(`#domain-${shop.id}`);
	check('rotation: notice says to add the new record', notice(await page.content(), 'rotation_started') === 'shop.example.com');
	check('rotation: a new selector beside the active one',
		rotating.next !== '' && rotating.next !== shop.active && rotating.active === shop.active);
	check('rotation: the current record, to keep, on the card',
		await card.getByText(msg('dkim.key.current')).count() === 1 &&
		(await card.textContent()).includes(`${shop.active}._domainkey.shop.example.com`));
	check('rotation: the new record, to add, on the card',
		await card.getByText(msg('dkim.key.next')).count() === 1 &&
		(await card.textContent()).includes(`${rotating.next}._domainkey.shop.example.com`));
	check('rotation: the domain stays ✔ 設定済', await bothVerified(shop.id));
	await page.screenshot({ path: `${shots}/09-rotation-started.png`, fullPage: true });

	// The new record published, the verifier run: the new key active, the
	// old record to keep until a date.
	const out2 = publish('shop.example.com');
	check('rotation: publish tool publishes both DKIM records', /3 records of shop\.example\.com/.test(out2));
	execFileSync(process.env.SA_VERIFIER, ['run', '--domain', shop.id], { encoding: 'utf8' });
	await page.goto(`${url}/mail-settings/`);
	const keepRe = msgRe('dkim.key.retiring');
	await reloadUntil(async () => keepRe.test(await card.textContent()), 30);
	const after = await apiDomain('shop.example.com');
	const text = await card.textContent();
	check('rotation: the new key is active', after.active === rotating.next && after.state === 'active');
	check('rotation: the old record listed to keep until a date',
		after.retiring === shop.active &&
		(keepRe.exec(text)?.[1] ?? '').startsWith(after.until.slice(0, 10).replace(/-/g, '/')));
	check('rotation: no record left to add', await card.getByText(msg('dkim.key.next')).count() === 0);
	check('rotation: still ✔ 設定済', await bothVerified(shop.id));
	await page.screenshot({ path: `${shots}/10-rotated.png`, fullPage: true });
	check('no JavaScript errors', errors.length === 0);
	check(`no console errors (CSP violations included)${consoleErrors.length ? ': ' + consoleErrors[0] : ''}`,
		consoleErrors.length === 0);
} catch (e) {
	check(`browser run: ${e.message.split('\n')[0]}`, false);
} finally {
	await browser.close();
}
process.exit(failures ? 1 : 0);
