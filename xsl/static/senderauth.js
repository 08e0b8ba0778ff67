// senderauth.js - the settings page's script (xsl/page.xsl adds it when
// the page shows DNS records): reveals the copy buttons and copies the
// field named by data-copy; opens a folded domain card when the address
// names it (#domain-ID, a link of the summary); reveals the print button
// of the DNS request page. Served from
// /mail-settings/static/: the Content-Security-Policy allows no inline
// script.
(function () {
	var d = document;
	function openTarget() {
		var t = location.hash && d.getElementById(location.hash.slice(1));
		if (t && t.tagName === 'DETAILS' && !t.open) {
			t.open = true;
			t.scrollIntoView();
		}
	}
	openTarget();
	window.addEventListener('hashchange', openTarget);
	d.querySelectorAll('button[data-print]').forEach(function (b) {
		b.hidden = false;
		b.addEventListener('click', function () { window.print(); });
	});
	d.querySelectorAll('button[data-copy]').forEach(function (b) {
		b.hidden = false;
		b.addEventListener('click', function () {
			var f = d.getElementById(b.getAttribute('data-copy'));
			var t = b.textContent;
			function done() {
				b.textContent = b.getAttribute('data-done');
				setTimeout(function () { b.textContent = t; }, 1500);
			}
			function old() {
				d.execCommand('copy');
				done();
			}
			f.select();
			if (navigator.clipboard) {
				navigator.clipboard.writeText(f.value).then(done, old);
			} else {
				old();
			}
		});
	});
})();
