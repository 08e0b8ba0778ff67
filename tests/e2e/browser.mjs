// The pages in a real browser: log in with a minted session, register a
// sender address, add a domain and see both records where the page lands,
// delete it, publish a domain's records in NSD and see them verified; the
// demo's path (publish with tests/tools/demo-publish.sh, the verifier loop
// turns the domain ✔ 設定済 without 今すぐ確認) and a DKIM key rotation;
// then what a customer with several domains sees: a check that cannot
// reach DNS, a URL typed for a domain, an address's domain, the summary
// and folded cards, the merged SPF record, the help, the page for the
// person who edits DNS and its download; a form sent after the portal
// renewed the session, kept to send again; then the pages at 1280 and 390
// pixels: screenshots, every copy button in view at 390 without scrolling
// sideways, names not broken at hyphens, and axe-core on the settings, log
// and DNS request pages. Prints one "ok - …" / "not ok - …" line per
// assertion (counted by tests/run.sh).
import { chromium } from 'playwright-core';
import { appendFileSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const url = process.env.SA_URL;
const shots = process.env.SA_SHOTS;
// axe-core, evaluated in the page (the Content-Security-Policy allows no
// inline script tag; the DevTools protocol's evaluation is not one)
const axeSource = readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
let failures = 0;
function check(name, cond) {
	console.log(`${cond ? 'ok' : 'not ok'} - ${name}`);
	if (!cond) failures++;
}

// The page's Japanese texts, from the catalogue the stylesheet uses: msg(k)
// is the text of k; msgRe(k) matches it with its parameter as (.+?).
const catalogue = readFileSync(new URL('../../xsl/messages.ja.xml', import.meta.url), 'utf8');
function msgSource(k) {
	const m = catalogue.match(new RegExp(`match="k:${k.replace(/\./g, '\\.')}">(.*?)</xsl:template>`));
	if (!m) throw new Error(`no message ${k} in messages.ja.xml`);
	return m[1].replace(/<xsl:param [^>]*\/>/g, '');
}
const msg = (k) => msgSource(k);
const msgRe = (k) => new RegExp(msgSource(k).split(/<xsl:value-of [^>]*\/>/)
	.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.+?)'));

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
	// favicon is the portal's (the dev server has none); a 422 is the
	// page answering refused input, and a 403 the page asking to send a
	// form again, which Chromium logs as failed loads.
	const consoleErrors = [];
	page.on('console', (m) => {
		const where = m.location().url;
		if (m.type() === 'error' && !where.endsWith('/favicon.ico') &&
		    !/responded with a status of 4(22|03)/.test(m.text()))
			consoleErrors.push(`${m.text()} (${where})`);
	});

	// The top of the element is in the viewport: where the customer looks.
	const inView = (loc) => loc.first().evaluate((e) => {
		const r = e.getBoundingClientRect();
		return r.top > -2 && r.top < window.innerHeight;
	});
	// The id of a domain, from the API.
	const domainId = (name) => page.evaluate(async (n) => {
		const xml = await (await fetch('/mail-settings/api/')).text();
		const d = new DOMParser().parseFromString(xml, 'text/xml');
		return d.querySelector(`domain[name="${n}"]`).getAttribute('id');
	}, name);
	// Submits the add-domain form with what the customer types.
	async function addDomain(text) {
		const add = page.locator('form[action*="add-domain"]:has(input[name="domain"]:not([type="hidden"]))').first();
		await add.locator('[name="domain"]').fill(text);
		await Promise.all([page.waitForNavigation(), add.locator('button[type="submit"]').first().click()]);
	}
	// Appends to the zone NSD serves for example.jp and reloads it.
	async function publishLines(lines) {
		appendFileSync(process.env.SA_ZONE_FILE, lines.join('\n') + '\n');
		process.kill(Number(readFileSync(process.env.SA_NSD_PIDFILE, 'utf8').trim()), 'SIGHUP');
		await new Promise((r) => setTimeout(r, 1500));
	}
	// Presses 今すぐ確認 on the card of domain id.
	async function checkNow(id) {
		const chk = page.locator(`#domain-${id} form[action*="/check#domain-${id}"]`);
		await Promise.all([page.waitForNavigation(), chk.locator('button[type="submit"]').click()]);
	}
	// After publishing: presses 今すぐ確認 until cond() holds, up to 8
	// times a second apart (NSD may take longer than publishLines waits to
	// reload its zone on a loaded machine), as a customer would press again.
	async function checkNowUntil(id, cond) {
		for (let i = 0; i < 8; i++) {
			await checkNow(id);
			if (await cond()) return;
			await new Promise((r) => setTimeout(r, 1000));
		}
	}

	let res = await page.goto(`${url}/mail-settings/`);
	check('page loads with the session', res.status() === 200);
	check('title in Japanese', (await page.content()).includes('メール設定'));
	check('stylesheet from /mail-settings/static/ applied',
		await page.evaluate(() => getComputedStyle(document.body).backgroundColor) === 'rgb(243, 244, 246)');
	check('empty address list', await page.getByText('メールアドレス情報が登録されていません').count() > 0);

	// register an address with a note of two lines
	const reg = page.locator(`form[action$="register"]`).first();
	await reg.locator('[name="address"]').fill('taro@example.jp');
	await reg.locator('[name="smtp_password"]').fill('browser-secret');
	await reg.locator('[name="note"]').fill('<b>営業部</b>\n二行目');
	await Promise.all([page.waitForNavigation(), reg.locator('button[type="submit"], input[type="submit"]').first().click()]);
	const html = await page.content();
	check('notice after registering', html.includes('アカウント設定を更新しました'));
	check('address in the list', await page.getByText('taro@example.jp').count() > 0);
	check('note shown as text, not markup', await page.getByText('<b>営業部</b>').count() > 0);
	check('password never in the page', !html.includes('browser-secret'));
	await page.screenshot({ path: `${shots}/01-address-registered.png`, fullPage: true });
	await Promise.all([page.waitForNavigation(), page.locator('a[href*="?edit="]').first().click()]);
	check('the edit form keeps the note\'s two lines',
		await page.locator('#f-note').inputValue() === '<b>営業部</b>\n二行目');
	await page.goto(`${url}/mail-settings/`);

	// add a domain: the page lands on its card, the notice names it
	await addDomain('Example.JP');
	const eid = await domainId('example.jp');
	check('after adding: the address is the domain\'s card', page.url().endsWith(`#domain-${eid}`));
	const notice = page.locator(`#domain-${eid} [role="status"]`);
	check('the notice on the card names the domain',
		(await notice.textContent()) === 'example.jp のSPF/DKIMレコードを発行しました。');
	check('… in view', await inView(page.locator(`#domain-${eid}`)));
	const html2 = await page.content();
	check('SPF record shown', html2.includes('v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all'));
	check('DKIM record shown', /v=DKIM1; k=rsa; p=[A-Za-z0-9+\/]{100,}/.test(html2));
	check('DKIM host shown', /\d{8}\._domainkey\.example\.jp/.test(html2));
	check('status 未設定 shown', html2.includes('未設定'));
	check('never checked: 最終確認: 未確認', html2.includes('最終確認: 未確認'));
	check('the host field a DNS panel wants: @ for SPF',
		await page.locator(`#domain-${eid} .rec p.hint`, { hasText: 'ホスト名欄: @' }).count() === 1);
	const copy = page.locator('button[data-copy]').first();
	check('copy buttons revealed by /mail-settings/static/senderauth.js', await copy.isVisible());
	await copy.click();
	await page.waitForFunction(() => document.querySelector('button[data-copy]').textContent === 'コピーしました', null, { timeout: 3000 });
	check('copy button answers a click', true);
	await page.screenshot({ path: `${shots}/02-domain-added.png` });

	// delete it, confirming on the page (no JavaScript needed): the
	// question shows on the domain's card, in view
	const del = page.locator('form[action*="/delete#domain-"]:has(input[name="kind"][value="domain"])').first();
	await Promise.all([page.waitForNavigation(), del.locator('button[type="submit"], input[type="submit"]').first().click()]);
	check('confirmation asked', (await page.content()).includes('example.jp'));
	const question = page.locator('details.domain .box.warn', { hasText: '削除しますか' });
	check('the question is on the domain card, in view', await question.count() === 1 && await inView(question));
	await page.screenshot({ path: `${shots}/03-delete-confirm.png` });
	const conf = page.locator('form[action$="delete"]:has(input[name="confirm"])').first();
	await Promise.all([page.waitForNavigation(), conf.locator('button[type="submit"], input[type="submit"]').first().click()]);
	check('domain gone after deleting', await page.getByText('ドメインが登録されていません').count() > 0);
	check('the notice names the deleted domain',
		await page.locator('#domains [role="status"]', { hasText: 'example.jp を削除しました。' }).count() === 1);
	await page.screenshot({ path: `${shots}/04-domain-deleted.png`, fullPage: true });

	// add a domain, publish what the page says in NSD, 今すぐ確認 -> 設定済
	await addDomain('mail.example.jp');
	const rec = await page.evaluate(async () => {
		const xml = await (await fetch('/mail-settings/api/')).text();
		const d = new DOMParser().parseFromString(xml, 'text/xml');
		const dom = d.querySelector('domain[name="mail.example.jp"]');
		return { id: dom.getAttribute('id'),
			spf: dom.querySelector('spf > record').getAttribute('value'),
			zone: dom.querySelector('dkim > record').getAttribute('zone') };
	});
	check('records read from the API', rec.spf.startsWith('v=spf1') && rec.zone.includes('_domainkey'));
	await publishLines([`mail IN TXT "${rec.spf}"`, rec.zone]);
	await checkNowUntil(rec.id, async () => ((await page.content()).match(/<span class="st yes">✔ 設定済/g) || []).length === 4);
	const html3 = await page.content();
	check('check notice shown, naming the domain, in green',
		await page.locator(`#domain-${rec.id} .box.ok[role="status"]`).textContent() === 'mail.example.jp のDNSを確認しました。');
	check('SPF and DKIM both ✔ 設定済', (html3.match(/<span class="st yes">✔ 設定済/g) || []).length === 4);
	check('no 未設定 status left', !html3.includes('<span class="st no">'));
	check('bulk-sender: SPF, DKIM and alignment ✔, no DMARC yet',
		(await page.locator(`#domain-${rec.id} .bulk`).textContent()).replace(/\s+/g, ' ').trim()
			=== '大量送信者の要件（Gmail・Yahoo）: SPF ✔ DKIM ✔ DMARCあり ✕ DKIMアライメント ✔');
	const dmarc = page.locator(`#dmarc-${rec.id}`);
	check('no _dmarc: a record suggested to copy (no address in the domain: no reports)',
		await dmarc.inputValue() === 'v=DMARC1; p=none' && await page.locator(`button[data-copy="dmarc-${rec.id}"]`).isVisible());
	await page.screenshot({ path: `${shots}/05-verified.png`, fullPage: true });

	// The demo: add a domain, publish it with the printed tool, and the
	// verifier loop turns it ✔ 設定済 without 今すぐ確認; reload until it
	// does (bounded: the loop runs every 5 s).
	const verified = msg('status.verified');
	// the domain's status cells (SPF, DKIM) and its API element
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
	async function reloadUntil(cond, seconds) {
		const end = Date.now() + seconds * 1000;
		for (;;) {
			if (await cond()) return true;
			if (Date.now() > end) return false;
			await new Promise((r) => setTimeout(r, 1000));
			await page.reload();
		}
	}
	await addDomain('shop.example.com');
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
	const rot = page.locator(`#domain-${shop.id} form[action*="/reissue#"]:has(input[name="rotate"])`);
	check('rotation: the card offers 「DKIMキーを更新」', (await rot.textContent()).trim() === msg('btn.dkim_update'));
	await Promise.all([page.waitForNavigation(), rot.locator('button[type="submit"]').click()]);
	const ask = await page.content();
	check('rotation: confirmation asked for the domain', msgRe('confirm.rotate').exec(ask)?.[1] === 'shop.example.com');
	check('rotation: the confirmation says what happens', ask.includes(msg('confirm.rotate.body')));
	check('rotation: nothing issued before confirming', (await apiDomain('shop.example.com')).next === '');
	await page.screenshot({ path: `${shots}/08-rotate-confirm.png`, fullPage: true });
	const yes = page.locator('form[action$="reissue"]:has(input[name="confirm"])');
	await Promise.all([page.waitForNavigation(), yes.locator('button[type="submit"]').click()]);
	const rotating = await apiDomain('shop.example.com');
	const card = page.locator(`#domain-${shop.id}`);
	check('rotation: notice says to add the new record', (await page.content()).includes(msg('notice.rotation_started')));
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
	// 今すぐ確認 that cannot reach DNS: a warning, not the green notice
	await addDomain('broken.test');
	const oid = await domainId('broken.test');
	await checkNow(oid);
	const warn = page.locator(`#domain-${oid} [role="status"]`);
	check('a check that could not ask DNS is a warning on the card',
		await warn.getAttribute('class') === 'box warn' &&
		(await warn.textContent()).startsWith('broken.test のDNSサーバに問い合わせできなかったため'));
	check('… and the domain shows no last check time',
		(await page.locator(`#domain-${oid}`).textContent()).includes('最終確認: 未確認'));
	await page.screenshot({ path: `${shots}/11-check-tempfail.png` });

	// a URL typed for a domain: the sentence, and the domain offered
	await addDomain('https://www.example.jp/contact');
	check('a URL: ドメイン名だけを入力してください',
		(await page.locator('#f-domain-err').textContent()).startsWith('ドメイン名だけを入力してください（例: example.jp）'));
	check('… the page is at the form', page.url().endsWith('#add-domain') && await inView(page.locator('#f-domain')));
	await page.screenshot({ path: `${shots}/12-url-typed.png` });
	const offer = page.locator('form.offer button');
	check('… offering www.example.jp', (await offer.textContent()).trim() === '「www.example.jp」を追加する');
	await Promise.all([page.waitForNavigation(), offer.click()]);
	check('… which adds it', (await page.content()).includes('www.example.jp のSPF/DKIMレコードを発行しました。'));

	// an address typed for a domain: its domain, and the notice says so
	await addDomain('hanako@shop.example.jp');
	const sid = await domainId('shop.example.jp');
	check('an address: its domain added, the notice says which',
		(await page.locator(`#domain-${sid} [role="status"]`).textContent()).includes('入力されたメールアドレスから、ドメイン「shop.example.jp」を取り出して追加しました。'));

	// four domains: a summary on top links to the cards; a card with every
	// record in place is folded until asked for
	const ndomains = await page.evaluate(async () => new DOMParser().parseFromString(
		await (await fetch('/mail-settings/api/')).text(), 'text/xml').querySelectorAll('domain').length);
	check(`more than three domains (${ndomains}): the summary table, a row each`,
		ndomains > 3 && await page.locator('table.summary tbody tr').count() === ndomains);
	const mailCard = page.locator(`#domain-${rec.id}`);
	check('the verified domain\'s card starts folded', !(await mailCard.evaluate((e) => e.open)));
	await page.locator(`table.summary a[href="#domain-${rec.id}"]`).click();
	await page.waitForFunction((id) => document.getElementById(`domain-${id}`).open, rec.id, { timeout: 3000 });
	check('its summary link opens it, in view', await inView(mailCard));
	await page.screenshot({ path: `${shots}/13-summary.png` });

	// the domain publishes an SPF record of its own: one merged record
	await publishLines(['shop IN TXT "v=spf1 mx -all"']);
	const spfRow = page.locator(`#spf-${sid}`);
	await checkNowUntil(sid, async () => (await spfRow.inputValue()).startsWith('v=spf1 mx '));
	const merged = await spfRow.inputValue();
	check('SPF found: the row offers one merged record',
		merged.startsWith('v=spf1 mx ') && merged.includes('include:m01-ahd-sys.net') && merged.endsWith(' ~all'));
	check('… saying it replaces the existing record',
		await page.locator(`#domain-${sid} .kstate.add`).textContent() === '既にDNSにあるSPFレコードを、このレコードに置き換えてください（既存の内容に当サービスの設定を統合済みです。SPFレコードは1つのドメインに1つだけです）。');
	check('… and the issued record is not offered there',
		await page.locator(`#domain-${sid} input[value="v=spf1 ip4:210.198.21.20 include:m01-ahd-sys.net ~all"]`).count() === 0);
	const copySpf = page.locator(`button[data-copy="spf-${sid}"]`);
	await copySpf.click();
	await page.waitForFunction((id) => document.querySelector(`button[data-copy="spf-${id}"]`).textContent === 'コピーしました', sid, { timeout: 3000 });
	check('… with its copy button', true);
	await page.screenshot({ path: `${shots}/14-spf-merged.png` });

	// help behind the ? marks
	const spfHelp = page.locator('details.q', { hasText: 'SPFとは' });
	await spfHelp.locator('summary').click();
	check('? opens what SPF is', await spfHelp.locator('p').isVisible() &&
		(await spfHelp.locator('p').textContent()).startsWith('SPFは、'));
	check('how long records take, how often they are checked',
		(await page.locator('#howto').textContent()).includes('最大24時間'));

	// DNS担当者に依頼する: a printable page, a mail, a download
	await page.locator(`#domain-${rec.id} > summary`).click();
	await Promise.all([page.waitForNavigation(), page.locator(`#domain-${rec.id} a[href$="?request=${rec.id}"]`).click()]);
	check('the request page names the domain',
		await page.locator('h2').first().textContent() === 'DNSレコード登録のお願い（mail.example.jp）');
	check('… lists its records', await page.locator('.request tbody tr').count() === 3);
	const mailto = await page.locator('a[href^="mailto:"]').getAttribute('href');
	check('… a mail with the same records',
		decodeURIComponent(mailto.split('&body=')[1]).includes(`値: ${rec.spf}`));
	check('… a print button', await page.locator('button[data-print]').isVisible());
	await page.screenshot({ path: `${shots}/15-request.png`, fullPage: true });
	await page.emulateMedia({ media: 'print' });
	check('printed: no buttons, no navigation',
		!(await page.locator('.noprint').isVisible()) && !(await page.locator('header.bar nav').isVisible()));
	await page.emulateMedia({ media: 'screen' });
	const [download] = await Promise.all([page.waitForEvent('download'),
		page.locator('a[href*="export?format=zone"]').click()]);
	check('the zone file downloads as mail.example.jp.zone', download.suggestedFilename() === 'mail.example.jp.zone');
	const zone = readFileSync(await download.path(), 'utf8');
	check('… with the SPF record', zone.includes(`mail.example.jp. IN TXT ( "${rec.spf}" )`));

	// A form sent after the portal renewed the session cookie (its CSRF
	// token is the older cookie's): nothing done, the input kept, sent
	// again it works.
	await page.goto(`${url}/mail-settings/`);
	const add = page.locator('form[action*="add-domain"]:has(input[name="domain"]:not([type="hidden"]))').first();
	await add.locator('[name="domain"]').fill('retry-mail-example.jp');
	await context.addCookies([{ name: 'sa_session', value: process.env.SA_COOKIE_RENEWED, url: url }]);
	res = (await Promise.all([page.waitForNavigation(), add.locator('button[type="submit"]').click()]))[0];
	const again = page.locator('.box.warn[role="alert"]');
	check('renewed session: the form answers 403, asking above it to send again, in view, the domain as typed',
		res.status() === 403 && await again.count() === 1 && await inView(again) &&
		(await again.textContent()).startsWith(msg('error.bad_csrf.retry').slice(0, 20)) &&
		await page.locator('#f-domain').inputValue() === 'retry-mail-example.jp');
	check('… and nothing added', !(await page.content()).includes('retry-mail-example.jp のSPF/DKIMレコードを発行しました。') &&
		await page.evaluate(async () => !(await (await fetch('/mail-settings/api/')).text()).includes('retry-mail-example.jp')));
	await page.screenshot({ path: `${shots}/16-csrf-retry.png` });
	await addDomain('retry-mail-example.jp');
	check('… sent again, the domain is added',
		(await page.content()).includes('retry-mail-example.jp のSPF/DKIMレコードを発行しました。'));

	// Each page at 1280 and at 390 pixels: screenshots (every card
	// open), axe-core, and at 390 nothing wider than the screen.
	const rid = await domainId('retry-mail-example.jp');
	const pages = [['settings', '/mail-settings/'], ['log', '/mail-settings/log'],
		['request', `/mail-settings/?request=${rid}`]];
	for (const width of [1280, 390]) {
		await page.setViewportSize({ width, height: 900 });
		for (const [name, path] of pages) {
			await page.goto(`${url}${path}`);
			await page.evaluate(() => document.querySelectorAll('details.domain').forEach((d) => { d.open = true; }));
			await page.screenshot({ path: `${shots}/w${width}-${name}.png`, fullPage: true });
			await page.evaluate(axeSource);
			const bad = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
				.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
				.map((v) => `${v.id} (${v.impact}) at ${v.nodes[0].target.join(' ')}`));
			check(`axe-core at ${width}: ${name} page without serious or critical violations${bad.length ? ': ' + bad.join('; ') : ''}`,
				bad.length === 0);
			if (name === 'settings') {
				// at 390 an address is a card: each value on a line of
				// its own, labelled with its column's name (labels.css,
				// from the catalogue); at 1280 a table row, no labels
				const cells = await page.evaluate(() => [...document.querySelector('table.addrs tbody tr').cells]
					.map((td) => [td.childNodes.length ? getComputedStyle(td).display : 'empty',
						getComputedStyle(td, '::before').content]));
				const labels = width === 390
					? ['none', ...['addr.smtp_host', 'addr.col.port', 'addr.note', 'addr.col.registrant']
						.map((k) => `"${msg(k)}: "`), 'none'] : Array(6).fill('none');
				check(`at ${width}: an address's cells ${width === 390 ? 'are lines of a card, labelled by column' : 'are a table row, unlabelled'}`,
					cells.length === 6 && cells.every(([d]) => d === 'empty' || d === (width === 390 ? 'block' : 'table-cell')) &&
					JSON.stringify(cells.map(([, c]) => c)) === JSON.stringify(labels));
			}
			if (width !== 390) continue;
			const wide = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
			check(`at 390: the ${name} page does not scroll sideways (${wide[0]} px wide)`, wide[0] <= wide[1]);
			if (name !== 'settings') continue;
			// every value to copy and its button, inside the screen's width
			const copies = await page.evaluate(() => [...document.querySelectorAll('.copy > input, .copy > textarea, .copy > button')]
				.map((e) => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.width]; }));
			const nbuttons = await page.locator('.copy > button').count();
			check(`at 390: ${nbuttons} copy buttons and their values on the ${name} page, each inside the screen`,
				nbuttons > 0 && copies.every(([l, r, w]) => w > 0 && l >= 0 && r <= 390));
			// names and hosts: never broken after a hyphen, unless wider
			// than their table (or block) allows
			const names = await page.evaluate(() => [...document.querySelectorAll('.dname, span.mono, .name')]
				.filter((e) => e.offsetParent && e.textContent.includes('-')).map((e) => {
					const t = e.firstChild;
					const r = document.createRange();
					const top = (i) => { r.setStart(t, i); r.setEnd(t, i + 1); return r.getBoundingClientRect().top; };
					let broken = false;
					for (let i = 0; i + 1 < t.length; i++)
						if (t.data[i] === '-' && top(i + 1) > top(i) + 2) broken = true;
					const c = e.cloneNode(true);
					c.style.whiteSpace = 'nowrap';
					c.style.position = 'absolute';
					c.style.visibility = 'hidden';
					e.parentElement.appendChild(c);
					const natural = c.getBoundingClientRect().width;
					c.remove();
					return !broken || natural > (e.closest('table') || e.parentElement).clientWidth - 32;
				}));
			check(`at 390: the ${names.length} names with a hyphen on the ${name} page are not broken at a hyphen where they fit`,
				names.length > 0 && names.every((x) => x));
		}
	}

	// An address's 削除 (here at 390 pixels): the row's button belongs to
	// the list's one form (form="address-delete") and sends its row's id;
	// the page asks first, naming the address, then deletes it.
	await page.goto(`${url}/mail-settings/`);
	const arow = page.locator('table.addrs tbody tr', { hasText: 'taro@example.jp' });
	await Promise.all([page.waitForNavigation(), arow.locator('button[form="address-delete"]').click()]);
	const aask = page.locator('.box.warn', { hasText: '送信元メールアドレス「taro@example.jp」を削除しますか？' });
	check('an address\'s 削除 button asks first, naming the address', await aask.count() === 1);
	await Promise.all([page.waitForNavigation(), aask.locator('button[type="submit"]').click()]);
	check('… confirmed, the address is gone from the list',
		(await page.content()).includes('削除しました') && await page.locator('table.addrs', { hasText: 'taro@example.jp' }).count() === 0);

	// Without a session every page answers 401: that page links nowhere.
	const anon = await browser.newPage({ locale: 'ja-JP' });
	res = await anon.goto(`${url}/mail-settings/`);
	check('no session: 401, saying to log in, with no link (each would answer 401 again)',
		res.status() === 401 && (await anon.content()).includes(msg('error.no_session')) &&
		await anon.locator('a').count() === 0);
	await anon.screenshot({ path: `${shots}/17-no-session.png` });
	await anon.close();

	check('no JavaScript errors', errors.length === 0);
	check(`no console errors (CSP violations included)${consoleErrors.length ? ': ' + consoleErrors[0] : ''}`,
		consoleErrors.length === 0);
} catch (e) {
	check(`browser run: ${e.message.split('\n')[0]}`, false);
} finally {
	await browser.close();
}
process.exit(failures ? 1 : 0);
