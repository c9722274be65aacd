// sdk-check.js: the official Node SDK (npm auth0 v7) against the emulator.
// Usage: node sdk-check.js http://127.0.0.1:PORT
// The SDK speaks to https://DOMAIN; the one change made to it is that base
// rewritten to the emulator's URL, in the request URL and in the token
// request's audience.  Prints one line per step; exits 1 on a mismatch.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { ManagementClient } = require("auth0");

const emu = process.argv[2];
const host = emu.replace(/^http:\/\//, "");
const real = globalThis.fetch;
globalThis.fetch = (input, init) => {
	const fix = (s) => s.split("https://" + host).join(emu);
	let url = typeof input === "string" ? input :
	    input instanceof URL ? input.href : input.url;
	if (init && init.body instanceof URLSearchParams) {
		const b = new URLSearchParams();
		for (const [k, v] of init.body)
			b.append(k, fix(v));
		init = Object.assign({}, init, { body: b });
	} else if (init && typeof init.body === "string") {
		init = Object.assign({}, init, { body: fix(init.body).split(
		    encodeURIComponent("https://" + host)).join(
		    encodeURIComponent(emu)) });
	}
	return real(fix(url), init);
};

let failed = 0;
function expect(what, got, want) {
	const g = JSON.stringify(got), w = JSON.stringify(want);
	if (g === w) {
		console.log("ok " + what);
	} else {
		console.log("MISMATCH " + what + ": got " + g + ", want " + w);
		failed++;
	}
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
	const mgmt = new ManagementClient({ domain: host,
	    clientId: "a0-emulator-client", clientSecret: "a0-emulator-secret" });
	const page = await mgmt.connections.list({
	    name: "Username-Password-Authentication" });
	const conn = page.data[0];
	expect("connection look-up", [page.data.length, conn.id, conn.strategy],
	    [1, "con_A0EmulatorDb0001", "auth0"]);

	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "a0-sdk-"));
	const file = path.join(dir, "users.json");
	async function run(users, upsert) {
		fs.writeFileSync(file, JSON.stringify(users));
		const job = await mgmt.jobs.usersImports.create({
		    users: fs.createReadStream(file), connection_id: conn.id,
		    upsert: upsert, send_completion_email: false });
		let st = job;
		for (let i = 0; i < 200 && st.status !== "completed" &&
		    st.status !== "failed"; i++) {
			await sleep(50);
			st = await mgmt.jobs.get(job.id);
		}
		const errors = await mgmt.jobs.errors.get(job.id);
		return { job, st, errors };
	}
	const users = [{ email: "sdk1@example.com", email_verified: true },
	    { email: "sdk2@example.com", given_name: "Two" }];

	let r = await run(users, false);
	expect("import: 202 body", [r.job.status, r.job.type,
	    r.job.connection_id], ["pending", "users_import", conn.id]);
	expect("import: summary", r.st.summary,
	    { failed: 0, updated: 0, inserted: 2, total: 2 });
	expect("import: no errors (204)", r.errors == null ||
	    (Array.isArray(r.errors) && r.errors.length === 0), true);

	r = await run(users, false);
	expect("re-import: summary", r.st.summary,
	    { failed: 2, updated: 0, inserted: 0, total: 2 });
	expect("re-import: errors", r.errors.map((e) => [e.user.email,
	    e.errors[0].code, e.errors[0].message]), [
	    ["sdk1@example.com", "DUPLICATED_USER",
	     "The user already exist and upsert parameter is false"],
	    ["sdk2@example.com", "DUPLICATED_USER",
	     "The user already exist and upsert parameter is false"]]);

	users[1].given_name = "Deux";
	r = await run(users, true);
	expect("upsert: summary", r.st.summary,
	    { failed: 0, updated: 2, inserted: 0, total: 2 });

	let missing;
	try {
		await mgmt.jobs.get("job_AAAAAAAAAAAAAAAA");
	} catch (e) {
		missing = [e.statusCode, e.body && e.body.message];
	}
	expect("unknown job", missing, [404, "Job not found."]);
	fs.rmSync(dir, { recursive: true });
}

main().then(() => process.exit(failed ? 1 : 0), (e) => {
	console.log("ERROR " + (e && e.stack || e));
	process.exit(1);
});
