// The builder page: the reader's choices -> the data file of their table, its human table and
// the block of every front-end, in the page's language.
//
// This script is held to Python. fwguide/builder.py writes the same data file, and
// tests/test_builder_page.py loads it with fwguide.loader and renders it with fwguide/render/:
// for every single service, source and front-end, and for hundreds of seeded random
// configurations, the text this page shows must be byte-identical. The facts (catalogue,
// words, the loader's patterns, the renderers' fixed pieces) come from the page's JSON
// (fwguide.builder.page_data); the functions below follow fwguide/render/*.py line by line.
// Nothing typed leaves the browser: the state lives in the URL's fragment.
(function () {
  "use strict";

  var D = JSON.parse(document.getElementById("fw-builder-data").textContent);
  var T = D.text, R = D.render, C = D.check;
  var SERVICES = {};
  D.services.forEach(function (s) { SERVICES[s.id] = s; });
  var $ = function (id) { return document.getElementById(id); };

  function t(key, values) { // i18n.text: str.format with named fields
    return T[key].replace(/\{([a-z_]+)\}/g, function (_, name) { return values[name]; });
  }
  function join(items) { // i18n.join
    if (items.length < 2) return items.join("");
    return items.slice(0, -1).join(", ") + " " + T.and + " " + items[items.length - 1];
  }

  // ---- addresses, as Python's ipaddress.ip_network(strict=True) reads them -------------

  function v4int(text) { // IPv4Address: four decimal octets, no leading zeros; null if not
    var parts = text.split(".");
    if (parts.length !== 4) return null;
    var value = 0n;
    for (var i = 0; i < 4; i++) {
      var p = parts[i];
      if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p[0] === "0") || +p > 255) return null;
      value = (value << 8n) | BigInt(+p);
    }
    return value;
  }
  function hextet(text) {
    return /^[0-9a-fA-F]{1,4}$/.test(text) ? BigInt(parseInt(text, 16)) : null;
  }
  function v6int(text) { // IPv6Address._ip_int_from_string
    if (!text) return null;
    var parts = text.split(":");
    if (parts.length < 3) return null;
    if (parts[parts.length - 1].indexOf(".") >= 0) {
      var four = v4int(parts.pop());
      if (four === null) return null;
      parts.push(((four >> 16n) & 0xffffn).toString(16), (four & 0xffffn).toString(16));
    }
    if (parts.length > 9) return null;
    var skip = null, i;
    for (i = 1; i < parts.length - 1; i++) {
      if (!parts[i]) { if (skip !== null) return null; skip = i; }
    }
    var hi, lo, skipped;
    if (skip !== null) {
      hi = skip; lo = parts.length - skip - 1;
      if (!parts[0] && --hi) return null;
      if (!parts[parts.length - 1] && --lo) return null;
      skipped = 8 - (hi + lo);
      if (skipped < 1) return null;
    } else {
      if (parts.length !== 8 || !parts[0] || !parts[7]) return null;
      hi = 8; lo = 0; skipped = 0;
    }
    var value = 0n, h;
    for (i = 0; i < hi; i++) { if ((h = hextet(parts[i])) === null) return null; value = (value << 16n) | h; }
    value <<= 16n * BigInt(skipped);
    for (i = parts.length - lo; i < parts.length; i++) {
      if ((h = hextet(parts[i])) === null) return null;
      value = (value << 16n) | h;
    }
    return value;
  }
  function prefixFromInt(value, bits) { // a contiguous netmask's length, or null
    var ones = 0;
    while (ones < bits && ((value >> BigInt(bits - 1 - ones)) & 1n)) ones++;
    var mask = ones ? ((1n << BigInt(ones)) - 1n) << BigInt(bits - ones) : 0n;
    return mask === value ? ones : null;
  }
  function v4str(value) {
    return [24n, 16n, 8n, 0n].map(function (s) { return String((value >> s) & 255n); }).join(".");
  }
  function v6str(value) { // IPv6Address.__str__: the longest run of zero hextets compressed
    var hex = [];
    for (var s = 112; s >= 0; s -= 16) hex.push(((value >> BigInt(s)) & 0xffffn).toString(16));
    var best = -1, bestLen = 0, start = -1, len = 0;
    hex.forEach(function (h, i) {
      if (h === "0") {
        if (start < 0) start = i;
        if (++len > bestLen) { bestLen = len; best = start; }
      } else { start = -1; len = 0; }
    });
    if (bestLen > 1) {
      var end = best + bestLen;
      if (end === hex.length) hex.push("");
      hex.splice(best, bestLen, "");
      if (best === 0) hex.unshift("");
    }
    return hex.join(":");
  }
  // {network, version, value, prefix} or {error, values}, for the field of `family`.
  function parseNetwork(typed, family) {
    if (typed.indexOf("%") >= 0) return { error: "err_addr_zone" };
    var halves = typed.split("/");
    if (halves.length > 2) return { error: "err_addr_invalid" };
    var found = null;
    var four = v4int(halves[0]);
    if (four !== null) {
      var p4 = 32;
      if (halves.length === 2) {
        p4 = /^[0-9]+$/.test(halves[1]) ? +halves[1] : null;
        if (p4 === null) {
          var mask = v4int(halves[1]);
          if (mask !== null) {
            p4 = prefixFromInt(mask, 32);
            if (p4 === null) p4 = prefixFromInt(mask ^ 0xffffffffn, 32);
          }
        }
      }
      if (p4 !== null && p4 <= 32) found = { version: 4, value: four, prefix: p4, bits: 32 };
    }
    if (found === null) {
      var six = v6int(halves[0]);
      if (six !== null) {
        var p6 = halves.length === 2 ? (/^[0-9]+$/.test(halves[1]) ? +halves[1] : 999) : 128;
        if (p6 <= 128) found = { version: 6, value: six, prefix: p6, bits: 128 };
      }
    }
    if (found === null) return { error: "err_addr_invalid" };
    if (found.version !== family) return { error: "err_addr_other_family", other: found.version };
    var host = (1n << BigInt(found.bits - found.prefix)) - 1n;
    var show = found.version === 4 ? v4str : v6str;
    if (found.value & host) {
      return { error: "err_addr_host_bits", network: show(found.value & ~host) + "/" + found.prefix };
    }
    if (found.version === 6 && (found.value >> 32n) === 0xffffn) return { error: "err_addr_mapped" };
    found.network = show(found.value) + "/" + found.prefix;
    return found;
  }
  function contains(outer, inner) { // network `outer` holds every address of `inner`
    if (outer.version !== inner.version || outer.prefix > inner.prefix) return false;
    var shift = BigInt(outer.bits - outer.prefix);
    return (outer.value >> shift) === (inner.value >> shift);
  }

  // ---- the checks of the data files (fwguide/loader.py), on what the reader typed -------

  var SAFE = new RegExp("^(?:" + C.safe_text + ")$");
  var PORT = new RegExp("^(?:" + C.port + ")$");

  function checkName(typed) { // _Doc.text, then _Doc.safe_text
    var value = typed.trim();
    if (!value) return { error: "err_name_empty" };
    if (Array.from(value).length > C.safe_text_max) return { error: "err_name_long", max: C.safe_text_max };
    if (!SAFE.test(value)) {
      var chars = Array.from(value), bad = chars[0];
      for (var i = 0; i < chars.length; i++) {
        if (!SAFE.test(chars.slice(0, i + 1).join(""))) { bad = chars[i]; break; }
      }
      return { error: "err_name_char", char: bad };
    }
    return { value: value };
  }
  function checkPort(typed, protocol) { // _Doc.port
    var match = PORT.exec(typed.trim() + "/" + protocol);
    if (!match || C.protocols.indexOf(match[3]) < 0) return { error: "err_port_format" };
    var numbers = [];
    for (var i = 1; i <= 2; i++) {
      if (match[i] === undefined) continue;
      var digits = match[i].replace(/^0+/, "") || "0";
      if (digits.length > 5 || +digits < C.port_range[0] || +digits > C.port_range[1]) {
        return { error: "err_port_range", port: digits.length <= 12 ? digits : digits.slice(0, 12) + "..." };
      }
      numbers.push(+digits);
    }
    if (numbers.length === 2 && numbers[1] <= numbers[0]) return { error: "err_port_reversed" };
    return { first: numbers[0], last: numbers[numbers.length - 1], protocol: protocol };
  }

  // ---- the state: the form <-> the URL fragment (fwguide.builder.fragment) ---------------

  function emptyState() {
    return { services: {}, limit: false, own: [], admin4: "", admin6: "", malformed: false, docker: false, published: [],
             unknown: [] };
  }
  function parseFragment(hash) {
    var state = emptyState();
    hash.replace(/^#/, "").split("&").forEach(function (item) {
      if (!item) return;
      var eq = item.indexOf("="), key = eq < 0 ? item : item.slice(0, eq), raw = eq < 0 ? "" : item.slice(eq + 1);
      var value;
      try { value = decodeURIComponent(raw); } catch (e) { state.unknown.push(item); return; }
      if (key === "s") {
        var s = value.split(":"), source = s[1] || "any";
        if (SERVICES[s[0]] && s.length <= 2 && D.sources.indexOf(source) >= 0) state.services[s[0]] = source;
        else state.unknown.push(value);
      } else if (key === "limit" && value === D.limited) state.limit = true;
      else if (key === "p") {
        var f = raw.split(":");
        if (f.length < 4 || C.protocols.indexOf(f[0]) < 0 || D.sources.indexOf(f[2]) < 0 || state.own.length >= D.max_own) {
          state.unknown.push(value);
          return;
        }
        try {
          state.own.push({ protocol: f[0], port: decodeURIComponent(f[1]), source: f[2],
                           name: decodeURIComponent(f.slice(3).join(":")) });
        } catch (e) { state.unknown.push(value); }
      } else if (key === "a4") state.admin4 = value;
      else if (key === "a6") state.admin6 = value;
      else if (key === "malformed" && value === "drop") state.malformed = true;
      else if (key === "docker" && value === "1") state.docker = true;
      else if (key === "c") {
        var c = raw.split(":");
        if (c.length < 3 || D.sources.indexOf(c[1]) < 0 || state.published.length >= D.max_own) {
          state.unknown.push(value);
          return;
        }
        try {
          state.published.push({ protocol: "tcp", port: decodeURIComponent(c[0]), source: c[1],
                                 name: decodeURIComponent(c.slice(2).join(":")) });
        } catch (e) { state.unknown.push(value); }
      }
      else state.unknown.push(item);
    });
    return state;
  }
  function fragment(state) {
    var q = encodeURIComponent, parts = [];
    D.services.forEach(function (s) {
      var source = state.services[s.id];
      if (source) parts.push("s=" + s.id + (source === "any" ? "" : ":" + source));
    });
    if (state.limit && state.services[D.limited]) parts.push("limit=" + D.limited);
    state.own.forEach(function (o) {
      parts.push("p=" + [o.protocol, o.port, o.source, o.name].map(q).join(":"));
    });
    if (state.admin4) parts.push("a4=" + q(state.admin4));
    if (state.admin6) parts.push("a6=" + q(state.admin6));
    if (state.malformed) parts.push("malformed=drop");
    if (state.docker) {
      parts.push("docker=1");
      state.published.forEach(function (o) { parts.push("c=" + [o.port, o.source, o.name].map(q).join(":")); });
    }
    return parts.join("&");
  }

  // ---- the table the state stands for (fwguide.builder.table_yaml, then the loader) -----

  // {rules, yaml, errors: {field id: message}}; rules as fwguide.model.Rule, for the renderers.
  function resolve(state) {
    var errors = {}, networks = {};
    [4, 6].forEach(function (family) {
      var typed = state["admin" + family].trim();
      if (!typed) return;
      var parsed = parseNetwork(typed, family);
      if (parsed.error) {
        errors["fw-a" + family] = t(parsed.error, { family: String(family), other: String(parsed.other),
                                                    typed: typed, network: parsed.network });
      } else networks[family] = parsed;
    });
    var checked = function (kind) {
      return function (o, i) {
        var name = checkName(o.name), port = checkPort(o.port, o.protocol);
        if (name.error) errors["fw-" + kind + "-name-" + i] = t(name.error, { max: String(name.max), char: name.char });
        if (port.error) errors["fw-" + kind + "-port-" + i] = t(port.error, { port: port.port });
        return { name: name.value, port: port };
      };
    };
    var own = state.own.map(checked("own"));
    var published = state.docker ? state.published.map(checked("pub")) : [];
    var sources = function (source) {
      if (source === "any") return [null];
      return [4, 6].filter(function (f) { return networks[f]; }).map(function (f) { return networks[f]; });
    };
    var rules = [];
    D.services.forEach(function (s) {
      var source = state.services[s.id];
      if (!source) return;
      var limit = state.limit && s.id === D.limited ? { connections: D.limit.connections, seconds: D.limit.seconds } : null;
      sources(source).forEach(function (net) {
        rules.push({ name: s.name, label: s.label, ports: s.ports.map(function (p) { return { first: p[0], last: p[1], protocol: p[2] }; }),
                     net: net, action: "accept", comment: s.id, helper: s.helper, firewalld: s.firewalld,
                     limit: limit, service: s.id, direction: "inbound" });
      });
    });
    state.own.forEach(function (o, i) {
      if (!own[i].name || own[i].port.error) return;
      sources(o.source).forEach(function (net) {
        rules.push({ name: own[i].name, label: D.own_labels[D.lang], ports: [own[i].port], net: net, action: "accept",
                     comment: own[i].name, helper: null, firewalld: null, limit: null, own: i, direction: "inbound" });
      });
    });
    var host = rules.slice();
    published.forEach(function (pub, i) {
      if (!pub.name || pub.port.error) return;
      sources(state.published[i].source).forEach(function (net) {
        rules.push({ name: pub.name, label: D.published_labels[D.lang], ports: [pub.port], net: net, action: "accept",
                     comment: pub.name, helper: null, firewalld: null, limit: null, pub: i, direction: "published" });
      });
    });
    deadRules(host, errors); // fwguide.shadowing: each direction apart
    deadRules(rules.slice(host.length), errors);
    rules.slice(host.length).forEach(function (rule) { // loader._check_docker: a port is the server's or a container's
      var p = rule.ports[0], key = "fw-pub-port-" + rule.pub;
      host.forEach(function (other) {
        other.ports.forEach(function (q) {
          if (errors[key] || q.protocol !== p.protocol || q.first > p.last || p.first > q.last) return;
          errors[key] = t("err_published_host", { port: portText(p, "-") + "/" + p.protocol, name: other.name });
        });
      });
    });
    return { rules: rules, errors: errors, networks: networks, yaml: Object.keys(errors).length ? null : dataFile(state, rules) };
  }

  // fwguide.shadowing: a rule is dead when, in each family it applies to, the earlier rules
  // whose peer covers its peer together match every port it matches.
  function families(rule) { return rule.net ? [rule.net.version] : [4, 6]; }
  function covers(earlier, rule, family) {
    if (!earlier.net) return true;
    if (earlier.net.version !== family) return false;
    if (!rule.net) return earlier.net.prefix === 0;
    return contains(earlier.net, rule.net);
  }
  function deadRules(rules, errors) {
    rules.forEach(function (rule, position) {
      var deciders = {};
      var dead = families(rule).every(function (family) {
        var before = rules.slice(0, position).filter(function (e) {
          return families(e).indexOf(family) >= 0 && covers(e, rule, family);
        });
        return rule.ports.every(function (p) {
          var spans = [];
          before.forEach(function (e) {
            e.ports.forEach(function (q) {
              if (q.protocol !== p.protocol) return;
              spans.push([q.first, q.last]);
              if (q.first <= p.last && p.first <= q.last) deciders[e.name] = true;
            });
          });
          spans.sort(function (a, b) { return a[0] - b[0]; });
          var next = p.first;
          spans.forEach(function (s) { if (s[0] <= next && s[1] >= next) next = s[1] + 1; });
          return next > p.last;
        });
      });
      var key = rule.own !== undefined ? "fw-own-port-" + rule.own : rule.pub !== undefined ? "fw-pub-port-" + rule.pub : null;
      if (dead && key) errors[key] = t("err_port_dead", { rules: join(Object.keys(deciders)) });
    });
  }

  function dataFile(state, rules) { // fwguide.builder.table_yaml
    var lines = ["# " + t("builder_file_comment", { file: D.file_name }), "# #" + fragment(state),
                 "kind: table", "id: " + D.table_id, "direction: inbound", "policies:"];
    Object.keys(D.policies).forEach(function (chain) { lines.push("  " + chain + ": " + D.policies[chain]); });
    if (state.malformed) lines.push("malformed_tcp: drop");
    if (state.docker) lines.push("docker: true");
    var out = [];
    rules.forEach(function (r) {
      var source = r.net ? '"' + r.net.network + '"' : "any";
      if (r.service) {
        out.push("- service: " + r.service, "  source: " + source, "  action: accept");
        if (r.limit) out.push("  limit: {connections: " + r.limit.connections + ", seconds: " + r.limit.seconds + "}");
      } else {
        var labels = r.pub !== undefined ? D.published_labels : D.own_labels;
        var label = D.languages.map(function (l) { return l + ': "' + labels[l] + '"'; }).join(", ");
        // the port as typed: the loader reads it, leading zeros and all
        var own = r.pub !== undefined ? state.published[r.pub] : state.own[r.own];
        out.push('- name: "' + r.name + '"', "  label: {" + label + "}", '  ports: ["' + own.port.trim() + "/" + own.protocol + '"]');
        if (r.pub !== undefined) out.push("  to: container");
        out.push("  source: " + source, "  action: accept");
      }
    });
    if (out.length) lines.push("rules:");
    else lines.push("rules: []");
    out.forEach(function (l) { lines.push("  " + l); });
    return lines.join("\n") + "\n";
  }

  // ---- the renderers (fwguide/render/*.py), for an inbound table with no placeholder ----

  function portText(p, sep) { return p.first === p.last ? String(p.first) : p.first + sep + p.last; }
  function upper(s) { return s.toUpperCase(); }
  function shlexQuote(s) { // Python's shlex.quote
    if (!s) return "''";
    if (!/[^A-Za-z0-9_@%+=:,./-]/.test(s)) return s;
    return "'" + s.replace(/'/g, "'\"'\"'") + "'";
  }
  function limited(rules) { return rules.filter(function (r) { return r.limit; }); }
  function limitName(rules, rule) { // Ruleset.limit_name
    var names = [], mine = null;
    limited(rules).forEach(function (other) {
      var base = "limit_" + other.comment.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
      var name = base, n = 2;
      while (names.indexOf(name) >= 0) { name = base + "_" + n; n++; }
      names.push(name);
      if (other === rule) mine = name;
    });
    return mine;
  }
  function helpers(rules) { // Ruleset.helpers
    var out = [];
    rules.forEach(function (r) {
      if (!r.helper) return;
      r.ports.forEach(function (p) {
        if (!out.some(function (h) { return h[0] === r.helper && h[1].first === p.first && h[1].last === p.last && h[1].protocol === p.protocol; })) {
          out.push([r.helper, p]);
        }
      });
    });
    return out;
  }
  function forFamily(rules, family) { return rules.filter(function (r) { return families(r).indexOf(family) >= 0; }); }
  function toward(rules, direction) { return rules.filter(function (r) { return r.direction === direction; }); }

  // iptables.py
  function iptPort(p) { return ["-p", p.protocol, "--dport", portText(p, ":")]; }
  function iptMalformed(check) {
    var match = check[1] ? ["--tcp-flags"].concat(check[1]) : ["!", "--syn", "-m", "conntrack", "--ctstate", "NEW"];
    return ["-p", "tcp"].concat(match, ["-m", "comment", "--comment", check[3], "-j", "DROP"]);
  }
  function iptNd(type) { return ["-p", "ipv6-icmp", "--icmpv6-type", type, "-m", "hl", "--hl-eq", "255", "-j", "ACCEPT"]; }
  function iptRows(ruleset, family) {
    var icmp = family === 4 ? ["-p", "icmp", "--icmp-type"] : ["-p", "ipv6-icmp", "--icmpv6-type"];
    var rows = [];
    helpers(ruleset.rules).forEach(function (h) { rows.push(["raw", "PREROUTING", iptPort(h[1]).concat(["-j", "CT", "--helper", h[0]])]); });
    rows.push(["filter", "INPUT", ["-i", "lo", "-j", "ACCEPT"]]);
    if (ruleset.malformed) R.malformed.forEach(function (c) { rows.push(["filter", "INPUT", iptMalformed(c)]); });
    rows.push(["filter", "INPUT", ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"]]);
    rows.push(["filter", "INPUT", ["-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP"]]);
    if (family === 6) {
      R.iptables.nd_types.forEach(function (type) { rows.push(["filter", "INPUT", iptNd(type)]); });
      rows.push(["filter", "INPUT", icmp.concat(["packet-too-big", "-j", "ACCEPT"])]);
    }
    rows.push(["filter", "INPUT", icmp.concat(["echo-request"], R.iptables.echo_limit, ["-j", "ACCEPT"])]);
    rows = rows.concat(iptRuleRows(ruleset, forFamily(toward(ruleset.rules, "inbound"), family)));
    if (ruleset.docker) rows = rows.concat(iptDockerRows(ruleset, family));
    return rows;
  }
  function iptPeer(rule) { return rule.net ? ["-s", rule.net.network] : []; } // iptables._peer
  function iptRuleRows(ruleset, rules) { // iptables._rule_rows, in INPUT
    var rows = [];
    rules.forEach(function (rule) {
      var peer = iptPeer(rule);
      rule.ports.forEach(function (p) {
        if (rule.limit) {
          var name = limitName(ruleset.rules, rule);
          var fresh = ["-m", "conntrack", "--ctstate", "NEW", "-m", "recent", "--name", name];
          rows.push(["filter", "INPUT", peer.concat(iptPort(p), fresh, ["--set", "-m", "comment", "--comment", rule.comment])]);
          rows.push(["filter", "INPUT", peer.concat(iptPort(p), fresh, ["--update", "--seconds", String(rule.limit.seconds),
            "--hitcount", String(rule.limit.connections + 1), "-m", "comment", "--comment", rule.comment + " limit", "-j", "DROP"])]);
        }
        rows.push(["filter", "INPUT", peer.concat(iptPort(p), ["-m", "comment", "--comment", rule.comment, "-j", upper(rule.action)])]);
      });
    });
    return rows;
  }
  function iptDockerRows(ruleset, family) { // iptables._docker_rows
    var DU = R.iptables.docker_user, published = forFamily(toward(ruleset.rules, "published"), family);
    var rows = iptRuleRows(ruleset, published);
    rows.push(["filter", DU, ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "RETURN"]]);
    published.forEach(function (rule) {
      rule.ports.forEach(function (p) {
        rows.push(["filter", DU, iptPeer(rule).concat(["-p", p.protocol, "-m", "conntrack", "--ctstate", "DNAT",
          "--ctorigdstport", portText(p, ":"), "-m", "comment", "--comment", rule.comment, "-j",
          rule.action === "accept" ? "RETURN" : "DROP"])]);
      });
    });
    rows.push(["filter", DU, ["-m", "conntrack", "--ctstate", "DNAT", "-m", "comment", "--comment", R.iptables.other_published,
                              "-j", "DROP"]]);
    rows.push(["filter", DU, ["-j", "RETURN"]]);
    return rows;
  }
  function iptCommands(ruleset, family) {
    var cmd = family === 4 ? "iptables" : "ip6tables", builtin = R.iptables.builtin.filter;
    var lines;
    if (ruleset.docker) { // Docker's chains stay, and so does FORWARD's policy (Docker's DROP)
      var DU = R.iptables.docker_user;
      lines = ["INPUT", "OUTPUT"].map(function (c) { return cmd + " -P " + c + " ACCEPT"; })
        .concat(["INPUT", "OUTPUT"].map(function (c) { return cmd + " -F " + c; }),
                [cmd + " -N " + DU + " 2>/dev/null || " + cmd + " -F " + DU]);
    } else {
      lines = builtin.map(function (c) { return cmd + " -P " + c + " ACCEPT"; });
      lines.push(cmd + " -F", cmd + " -X");
    }
    var rows = iptRows(ruleset, family);
    if (rows.some(function (r) { return r[0] === "raw"; })) lines.push(cmd + " -t raw -F");
    rows.forEach(function (r) {
      var prefix = r[0] === "filter" ? [cmd] : [cmd, "-t", r[0]];
      lines.push(prefix.concat(["-A", r[1]], r[2].map(function (a) { return a === "!" ? a : shlexQuote(a); })).join(" "));
    });
    builtin.forEach(function (c) { lines.push(cmd + " -P " + c + " " + upper(ruleset.policies[c.toLowerCase()])); });
    return lines.join("\n") + "\n";
  }
  function iptRestore(ruleset, family) {
    var rows = iptRows(ruleset, family), out = [];
    ["raw", "filter"].forEach(function (table) {
      var mine = rows.filter(function (r) { return r[0] === table; });
      if (table === "raw" && !mine.length) return;
      out.push("*" + table);
      R.iptables.builtin[table].forEach(function (c) {
        out.push(":" + c + " " + (table === "filter" ? upper(ruleset.policies[c.toLowerCase()]) : "ACCEPT") + " [0:0]");
      });
      if (ruleset.docker) {
        if (table === "filter") out.push(":" + R.iptables.docker_user + " - [0:0]");
        (table === "filter" ? ["INPUT", "OUTPUT"] : ["PREROUTING"]).forEach(function (c) { out.push("-F " + c); });
      }
      mine.forEach(function (r) {
        out.push(["-A", r[1]].concat(r[2].map(function (a) { return a.indexOf(" ") >= 0 ? '"' + a + '"' : a; })).join(" "));
      });
      out.push("COMMIT");
    });
    return out.join("\n") + "\n";
  }

  // nftables.py
  function nftPort(p) { return p.protocol + " dport " + portText(p, "-"); }
  function nftPeer(rule) { // nftables._peer_matches, for a network or anyone
    return rule.net ? (rule.net.version === 4 ? "ip" : "ip6") + " saddr " + rule.net.network : "";
  }
  function nftChain(name, policy, rules) {
    var I = R.nftables.indent, head = "type filter hook " + name + " priority filter;";
    if (policy !== null) head += " policy " + policy + ";";
    return ["chain " + name + " {", I + head].concat(rules.map(function (r) { return I + r; }), ["}"]);
  }
  function nftSetName(ruleset, rule, family) { return limitName(ruleset.rules, rule) + "_v" + family; }
  function nftLimit(ruleset, rule, family) {
    var l = rule.limit, unit = R.nftables.rate_units.find(function (u) { return (l.connections * u[1]) % l.seconds === 0; });
    var rate = (l.connections * unit[1] / l.seconds) + "/" + unit[0];
    var entry = R.nftables.addr_match[family] + " saddr limit rate over " + rate + " burst " + l.connections + " packets";
    return "update @" + nftSetName(ruleset, rule, family) + " { " + entry + " }";
  }
  function nftRules(ruleset, direction) {
    var lines = [];
    toward(ruleset.rules, direction).forEach(function (rule) {
      rule.ports.forEach(function (p) {
        var match = [nftPeer(rule), nftPort(p)].filter(Boolean).join(" ");
        if (rule.limit) {
          families(rule).forEach(function (family) {
            lines.push(match + " ct state new " + nftLimit(ruleset, rule, family) + ' drop comment "' + rule.comment + ' limit"');
          });
        }
        lines.push(match + " " + rule.action + ' comment "' + rule.comment + '"');
      });
    });
    return lines;
  }
  function nftRuleset(ruleset) {
    var N = R.nftables, I = N.indent;
    var out = ["#!/usr/sbin/nft -f", "", "table inet " + N.table, "delete table inet " + N.table, "", "table inet " + N.table + " {"];
    var body = [];
    limited(ruleset.rules).forEach(function (rule) {
      families(rule).forEach(function (family) {
        body.push(["set " + nftSetName(ruleset, rule, family) + " {", I + "type " + N.addr_type[family], I + "flags dynamic,timeout",
                   I + "timeout " + rule.limit.seconds + "s", "}"]);
      });
    });
    var hs = helpers(ruleset.rules), seen = [];
    hs.forEach(function (h) {
      if (seen.indexOf(h[0]) >= 0) return;
      seen.push(h[0]);
      body.push(["ct helper " + N.helper_objects[h[0]] + " {", I + 'type "' + h[0] + '" protocol tcp', "}"]);
    });
    if (hs.length) body.push(nftChain("prerouting", null, hs.map(function (h) { return nftPort(h[1]) + ' ct helper set "' + N.helper_objects[h[0]] + '"'; })));
    var input = ['iif "lo" accept'];
    if (ruleset.malformed) {
      R.malformed.forEach(function (c) {
        input.push(c[2] === null ? 'tcp flags & (fin|syn|rst|ack) != syn ct state new drop comment "' + c[3] + '"'
          : "tcp flags & (fin|syn|rst|psh|ack|urg) == " + c[2] + ' drop comment "' + c[3] + '"');
      });
    }
    input.push("ct state established,related accept", "ct state invalid drop", "icmpv6 type " + N.nd_types + " ip6 hoplimit 255 accept",
               "icmpv6 type packet-too-big accept", "icmp type echo-request " + N.echo_limit + " accept",
               "icmpv6 type echo-request " + N.echo_limit + " accept");
    body.push(nftChain("input", ruleset.policies.input, input.concat(nftRules(ruleset, "inbound"), nftRules(ruleset, "published"))));
    body.push(nftChain("forward", ruleset.policies.forward, nftForward(ruleset)));
    body.push(nftChain("output", ruleset.policies.output, []));
    body.forEach(function (block, i) {
      if (i) out.push("");
      block.forEach(function (line) { out.push(I + line); });
    });
    out.push("}");
    return out.join("\n") + "\n";
  }

  function nftForward(ruleset) { // nftables._forward
    if (!ruleset.docker) return [];
    var rules = ["ct state established,related accept", "ct state invalid drop"];
    R.nftables.docker_bridges.forEach(function (b) { rules.push('iifname "' + b + '" accept comment "containers going out"'); });
    toward(ruleset.rules, "published").forEach(function (rule) {
      rule.ports.forEach(function (p) {
        var match = "meta l4proto " + p.protocol + " ct original proto-dst " + portText(p, "-") + " ct status dnat";
        rules.push([nftPeer(rule), match].filter(Boolean).join(" ") + " " + rule.action + ' comment "' + rule.comment + '"');
      });
    });
    return rules;
  }

  // ufw.py
  function ufwMalformed(check, chain) {
    var match = check[1] ? "--tcp-flags " + check[1].join(" ") : "! --syn -m conntrack --ctstate NEW";
    return "-A " + chain + " -p tcp " + match + ' -m comment --comment "' + check[3] + '" -j DROP';
  }
  function ufwRender(ruleset) {
    var U = R.ufw, lines = ["ufw --force reset"];
    if (ruleset.malformed) {
      U.rule_files.forEach(function (f) {
        R.malformed.slice().reverse().forEach(function (c) {
          lines.push("sed -i '/^" + U.anchor + "/a " + ufwMalformed(c, f[1]) + "' " + f[0]);
        });
      });
    }
    var hs = helpers(ruleset.rules);
    if (hs.length) {
      var raw = ["*raw", "-F PREROUTING"].concat(hs.map(function (h) {
        return "-A PREROUTING -p tcp --dport " + portText(h[1], ":") + " -j CT --helper " + h[0];
      }), ["COMMIT"]);
      lines.push("printf '%s\\n' " + raw.map(shlexQuote).join(" ") + " | tee -a " + U.before_rules + " >/dev/null");
    }
    lines.push("ufw default " + U.policy[ruleset.policies.input] + " incoming",
               "ufw default " + U.policy[ruleset.policies.output] + " outgoing",
               "ufw default " + U.policy[ruleset.policies.forward] + " routed");
    ruleset.rules.forEach(function (rule) {
      var verb = rule.limit ? "limit" : U.policy[rule.action], comment = "comment " + shlexQuote(rule.comment);
      rule.ports.forEach(function (p) {
        if (!rule.net) lines.push("ufw " + verb + " " + portText(p, ":") + "/" + p.protocol + " " + comment);
        else lines.push("ufw " + verb + " from " + rule.net.network + " to any port " + portText(p, ":") + " proto " + p.protocol + " " + comment);
      });
    });
    lines.push("ufw --force enable");
    return lines.join("\n") + "\n";
  }

  // firewalld.py
  function fwdRender(ruleset) {
    var CMD = R.firewalld.cmd, lines = [];
    var services = [], ports = []; // firewall-cmd refuses --add-service and --add-port together
    ruleset.rules.forEach(function (rule) {
      if (rule.net || rule.action !== "accept") return;
      if (rule.firewalld) services.push("--add-service=" + rule.firewalld);
      else rule.ports.forEach(function (p) { ports.push("--add-port=" + portText(p, "-") + "/" + p.protocol); });
    });
    [services, ports].forEach(function (opened) { if (opened.length) lines.push(CMD + " " + opened.join(" ")); });
    ruleset.rules.forEach(function (rule) {
      if (!rule.net && rule.action === "accept") return;
      var what = rule.firewalld ? ["service name=" + rule.firewalld]
        : rule.ports.map(function (p) { return "port port=" + portText(p, "-") + " protocol=" + p.protocol; });
      var head = rule.net ? "rule family=ipv" + rule.net.version + " source address=" + rule.net.network : "rule";
      what.forEach(function (w) { lines.push(CMD + ' --add-rich-rule="' + head + " " + w + " " + rule.action + '"'); });
    });
    lines.push(CMD + " --add-source=0.0.0.0/0 --add-source=::/0");
    return lines.join("\n") + "\n";
  }

  // markdown.py: the notes, the human table, the absent tabs
  function limitNote(ruleset, kind) {
    var notes = [];
    limited(ruleset.rules).forEach(function (rule) {
      var l = rule.limit, interval = String(Math.round(l.seconds / l.connections * 10) / 10).replace(".", T.decimal);
      var note = t("note_limit_" + kind, { connections: String(l.connections), seconds: String(l.seconds),
                                           interval: interval, over: String(l.connections + 1) });
      if (notes.indexOf(note) < 0) notes.push(note);
    });
    return notes.map(function (n) { return " " + n; }).join("");
  }
  function dk(r, key) { return r.docker ? key + "_docker" : key; } // markdown._docker
  var FRONTENDS = {
    "iptables": { render: function (r) { return iptCommands(r, 4); },
                  note: function (r) { return t(dk(r, "note_commands"), { family: "IPv4" }) + limitNote(r, "recent"); } },
    "ip6tables": { render: function (r) { return iptCommands(r, 6); },
                   note: function (r) { return t(dk(r, "note_commands"), { family: "IPv6" }) + limitNote(r, "recent"); } },
    "rules.v4": { render: function (r) { return iptRestore(r, 4); },
                  note: function (r) { return t(dk(r, "note_restore"), { path: "/etc/iptables/rules.v4", tool: "iptables-restore", family: "IPv4" }) + limitNote(r, "recent"); } },
    "rules.v6": { render: function (r) { return iptRestore(r, 6); },
                  note: function (r) { return t(dk(r, "note_restore"), { path: "/etc/iptables/rules.v6", tool: "ip6tables-restore", family: "IPv6" }) + limitNote(r, "recent"); } },
    "nftables": { render: nftRuleset, note: function (r) { return t(dk(r, "note_nftables"), { table: R.nftables.table }) + limitNote(r, "nftables"); } },
    "ufw": { render: ufwRender, note: function (r) { return t("note_ufw") + limitNote(r, "ufw"); },
             absent: function (r) { return r.docker ? [t("absent_ufw_docker", {})] : []; } }, // ufw.obstacles
    "firewalld": { render: fwdRender, note: function () { return t("note_firewalld"); },
                   absent: function (r) { // firewalld.obstacles, in its order
                     return (r.docker ? [t("absent_firewalld_docker", {})] : [])
                       .concat(r.malformed ? [t("absent_firewalld_malformed", {})] : [])
                       .concat(limited(r.rules).length ? [t("absent_firewalld_limit", {})] : []); } },
  };
  function tableRows(ruleset) { // markdown.rules_table, as cell texts
    var any = T.any, server = T.this_server;
    var rows = [[T.service, T.protocol, T.source, T.destination, T.port, T.action]];
    if (ruleset.malformed) R.malformed.forEach(function (c) { rows.push([T["malformed_" + c[0]], "TCP", any, server, T.all, "DROP"]); });
    var above = null; // markdown._described_once: the name on each row, the description once
    var ruleRows = function (rules, destination) {
      rules.forEach(function (rule) {
        var action = rule.limit ? t("limited_action", { connections: String(rule.limit.connections), seconds: String(rule.limit.seconds) })
          : upper(rule.action);
        rule.ports.forEach(function (p) {
          var same = above !== null && above[0] === rule.name && above[1] === rule.label;
          rows.push([same ? rule.name : t("service_cell", { name: rule.name, label: rule.label }), upper(p.protocol),
                     rule.net ? rule.net.network : any, destination, portText(p, "\u2013"), action]);
          above = [rule.name, rule.label];
        });
      });
    };
    ruleRows(toward(ruleset.rules, "inbound"), server);
    if (ruleset.docker) { // where no rule names a published port, it is closed whatever -p said
      ruleRows(toward(ruleset.rules, "published"), T.container);
      rows.push([T.everything_else_published, T.all, any, T.container, T.all, "DROP"]);
    }
    rows.push([T.everything_else_inbound, T.all, any, server, T.all, t("default_policy", { action: upper(ruleset.policies.input) })]);
    return rows;
  }

  // ---- the page --------------------------------------------------------------------------

  function escapeHtml(s) { return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
  function inline(text) { // the notes' Markdown: `code` only
    return escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");
  }
  function admonition(kind, title, paragraphs) {
    var box = document.createElement("div");
    box.className = "admonition " + kind;
    if (title) {
      var head = document.createElement("p");
      head.className = "admonition-title";
      head.textContent = title;
      box.appendChild(head);
    }
    paragraphs.forEach(function (text) {
      var p = document.createElement("p");
      p.innerHTML = inline(text);
      box.appendChild(p);
    });
    return box;
  }

  var form = $("fw-builder"), out = document.querySelector(".fw-builder-output");
  // The two lists of ports: the server's own, and the ones its containers publish (TCP only).
  var LISTS = {
    own: { list: $("fw-own"), add: $("fw-own-add"), number: "builder_own_number", remove: "builder_own_remove" },
    pub: { list: $("fw-pub"), add: $("fw-pub-add"), number: "builder_published_number", remove: "builder_published_remove" },
  };
  var tabs = {};
  (function findTabs() {
    var set = document.querySelector(".fw-result").querySelector(".tabbed-set");
    var inputs = set.querySelectorAll(":scope > input"), labels = set.querySelectorAll(".tabbed-labels > label");
    var blocks = set.querySelectorAll(".tabbed-content > .tabbed-block");
    D.frontends.forEach(function (label, i) {
      tabs[label] = { input: inputs[i], label: labels[i], block: blocks[i], code: blocks[i].querySelector("pre > code"),
                      note: blocks[i].querySelector(".fw-note") };
    });
  })();
  var yamlCode = document.querySelector(".fw-datafile").querySelector("pre > code");

  function portRow(kind, o, i) {
    var row = document.createElement("fieldset");
    row.className = "fw-own-row";
    var legend = document.createElement("legend");
    legend.textContent = t(LISTS[kind].number, { number: String(i + 1) });
    row.appendChild(legend);
    var list = kind;
    var field = function (kind, control, label) {
      var box = document.createElement("div"), l = document.createElement("label"), error = document.createElement("p");
      box.className = "fw-field";
      control.id = "fw-" + list + "-" + kind + "-" + i;
      l.htmlFor = control.id;
      l.textContent = label;
      error.className = "fw-error";
      error.id = control.id + "-error";
      control.setAttribute("aria-describedby", (kind === "name" || kind === "port" ? "fw-" + list + "-help " : "") + error.id);
      control.dataset.own = kind;
      box.append(l, control, error);
      row.appendChild(box);
    };
    var text = function (value) {
      var input = document.createElement("input");
      input.type = "text";
      input.autocomplete = "off";
      input.spellcheck = false;
      input.value = value;
      return input;
    };
    var select = function (options, value) {
      var s = document.createElement("select");
      options.forEach(function (o) {
        var option = document.createElement("option");
        option.value = o[0];
        option.textContent = o[1];
        s.appendChild(option);
      });
      s.value = value;
      return s;
    };
    field("name", text(o.name), T.builder_own_name);
    field("port", text(o.port), T.builder_own_port);
    if (kind === "own") field("protocol", select(C.protocols.map(function (p) { return [p, upper(p)]; }), o.protocol), T.builder_own_protocol);
    field("source", select(D.sources.map(function (s) { return [s, T["builder_source_" + s]]; }), o.source), T.builder_own_source);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "md-button fw-own-remove";
    remove.textContent = t(LISTS[kind].remove, { number: String(i + 1) });
    remove.dataset.remove = String(i);
    row.appendChild(remove);
    return row;
  }

  function readForm() {
    var state = emptyState();
    D.services.forEach(function (s) {
      if ($("fw-s-" + s.id).checked) state.services[s.id] = $("fw-src-" + s.id).value;
    });
    state.limit = $("fw-limit").checked;
    Object.keys(LISTS).forEach(function (kind) {
      LISTS[kind].list.querySelectorAll(".fw-own-row").forEach(function (row) {
        var get = function (field) { var c = row.querySelector('[data-own="' + field + '"]'); return c ? c.value : "tcp"; };
        state[kind === "own" ? "own" : "published"].push({ name: get("name"), port: get("port"), protocol: get("protocol"),
                                                          source: get("source") });
      });
    });
    state.admin4 = $("fw-a4").value;
    state.admin6 = $("fw-a6").value;
    state.malformed = $("fw-malformed").checked;
    state.docker = $("fw-docker").checked;
    return state;
  }
  function writeForm(state) {
    D.services.forEach(function (s) {
      $("fw-s-" + s.id).checked = !!state.services[s.id];
      $("fw-src-" + s.id).value = state.services[s.id] || "any";
    });
    $("fw-limit").checked = state.limit;
    Object.keys(LISTS).forEach(function (kind) {
      var L = LISTS[kind], items = state[kind === "own" ? "own" : "published"];
      L.list.textContent = "";
      items.forEach(function (o, i) { L.list.appendChild(portRow(kind, o, i)); });
      L.add.disabled = items.length >= D.max_own;
    });
    $("fw-a4").value = state.admin4;
    $("fw-a6").value = state.admin6;
    $("fw-malformed").checked = state.malformed;
    $("fw-docker").checked = state.docker;
    var link = $("fw-link-error");
    link.textContent = state.unknown.length ? t("err_link", { what: state.unknown.join(", ") }) : "";
  }

  function notices(state, result) {
    var box = $("fw-notices"), danger = [], info = [];
    box.textContent = "";
    var ssh = state.services[D.limited];
    if (!ssh) danger.push(T.danger_no_ssh);
    // A family is missing when its field is empty; an invalid one has its own message.
    var missing = [4, 6].filter(function (f) { return !result.networks[f] && !result.errors["fw-a" + f]; });
    if (ssh === "admin" && missing.length) {
      danger.push(t("danger_ssh_family", { families: join(missing.map(function (f) { return "IPv" + f; })) }));
    }
    var reserved = []; // what only the admin address may reach, SSH aside (its note is a danger)
    D.services.forEach(function (s) { if (state.services[s.id] === "admin" && s.id !== D.limited) reserved.push(s.name); });
    state.own.forEach(function (o) { if (o.source === "admin") reserved.push(o.name.trim()); });
    if (state.docker) state.published.forEach(function (o) { if (o.source === "admin") reserved.push(o.name.trim()); });
    if (reserved.length) {
      missing.forEach(function (family) {
        info.push(t("builder_family_left_out", { family: String(family), names: join(reserved) }));
      });
    }
    if (danger.length) box.appendChild(admonition("danger", T.danger_title, danger));
    if (info.length) box.appendChild(admonition("info", null, info));
  }

  function showErrors(errors) {
    form.querySelectorAll(".fw-error[id]").forEach(function (p) {
      if (p.id === "fw-link-error") return;
      var control = $(p.id.replace(/-error$/, ""));
      var message = errors[control.id] || "";
      p.textContent = message;
      if (message) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    });
  }

  // The file in the link itself: a data: address costs a string per change, where a Blob's
  // address was registered with the browser and revoked at each keystroke (7 ms a change,
  // most of a render's script time: issue 24, measured).
  function download(name, text) {
    document.querySelector('[data-download="' + name + '"]').href =
      "data:text/plain;charset=utf-8," + encodeURIComponent(text);
  }

  function writeHash(hash) { // the configuration into the address, without a new history entry
    if (location.hash.slice(1) !== hash) history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
  }

  function render(state) {
    var result = resolve(state);
    showErrors(result.errors);
    var valid = result.yaml !== null;
    $("fw-invalid").hidden = valid;
    document.querySelector(".fw-result").hidden = !valid;
    notices(state, result);
    // The published ports are asked for, and the warning for servers without Docker shown, as the box says.
    $("fw-published").hidden = !state.docker;
    document.querySelectorAll(".fw-docker-warning").forEach(function (box) { box.hidden = state.docker; });
    var hash = fragment(state);
    writeHash(hash);
    document.querySelectorAll("a[hreflang]").forEach(function (a) { a.href = a.href.split("#")[0] + (hash ? "#" + hash : ""); });
    if (!valid) return;
    var ruleset = { rules: result.rules, malformed: state.malformed, docker: state.docker, policies: D.policies };
    var rows = tableRows(ruleset);
    var table = document.createElement("table"), head = table.createTHead().insertRow(), body = table.createTBody();
    rows[0].forEach(function (cell) { var th = document.createElement("th"); th.textContent = cell; head.appendChild(th); });
    rows.slice(1).forEach(function (row) { var tr = body.insertRow(); row.forEach(function (cell) { tr.insertCell().textContent = cell; }); });
    var wrap = $("fw-table");
    wrap.textContent = "";
    var scroll = document.createElement("div"), inner = document.createElement("div");
    scroll.className = "md-typeset__scrollwrap";
    scroll.tabIndex = 0; // a wide table scrolls: the keyboard must reach it
    inner.className = "md-typeset__table";
    inner.appendChild(table);
    scroll.appendChild(inner);
    wrap.appendChild(scroll);
    var absent = [], texts = {};
    D.frontends.forEach(function (label) {
      var f = FRONTENDS[label], tab = tabs[label], why = f.absent ? f.absent(ruleset) : [];
      tab.label.hidden = tab.input.hidden = tab.input.disabled = why.length > 0;
      tab.block.hidden = why.length > 0;
      absent = absent.concat(why);
      if (why.length) return;
      texts[label] = f.render(ruleset);
      tab.code.textContent = texts[label];
      tab.note.innerHTML = inline(f.note(ruleset));
    });
    var checked = D.frontends.filter(function (l) { return tabs[l].input.checked; })[0];
    if (!checked || tabs[checked].input.disabled) tabs[D.frontends[0]].input.checked = true;
    $("fw-absent").textContent = "";
    absent.forEach(function (note) { var p = document.createElement("p"); p.innerHTML = inline(note); $("fw-absent").appendChild(p); });
    D.downloads.forEach(function (d) { download(d[0], texts[d[1]]); });
    yamlCode.textContent = result.yaml;
    download(D.file_name, result.yaml);
  }

  function update() { render(readForm()); }
  form.addEventListener("input", update); // text fields, checkboxes and selects alike: one render per change
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  Object.keys(LISTS).forEach(function (kind) {
    var L = LISTS[kind], key = kind === "own" ? "own" : "published";
    L.add.addEventListener("click", function () {
      var state = readForm();
      if (state[key].length >= D.max_own) return;
      state[key].push({ name: "", port: "", protocol: C.protocols[0], source: D.sources[0] });
      writeForm(state);
      render(state);
      $("fw-" + kind + "-name-" + (state[key].length - 1)).focus();
    });
    L.list.addEventListener("click", function (e) {
      var index = e.target.dataset && e.target.dataset.remove;
      if (index === undefined) return;
      var state = readForm();
      state[key].splice(+index, 1);
      writeForm(state);
      render(state);
      L.add.focus();
    });
  });
  // Sharing made explicit: the address already holds the configuration; the button copies it.
  $("fw-link-copy").addEventListener("click", function () {
    var status = $("fw-link-status");
    writeHash(fragment(readForm()));
    var done = function (key) { return function () { status.textContent = T[key]; }; };
    status.textContent = "";
    if (!navigator.clipboard) { done("builder_link_refused")(); return; }
    navigator.clipboard.writeText(location.href).then(done("builder_link_copied"), done("builder_link_refused"));
  });
  form.addEventListener("input", function () { $("fw-link-status").textContent = ""; }); // it spoke of an older link
  function load() {
    var state = parseFragment(location.hash);
    writeForm(state);
    render(state);
  }
  window.addEventListener("hashchange", load);
  // Material writes a tab's own anchor (#__tabbed_1_5) into the address, then picks the tab:
  // the address must keep the configuration, or a reload or a shared link loses it.
  D.frontends.forEach(function (label) {
    tabs[label].input.addEventListener("change", function () { writeHash(fragment(readForm())); });
  });
  // The language links carry the fragment (render() writes it into them). Material's own
  // handler would rebuild the address without it: it must not see these clicks.
  document.querySelectorAll("a[hreflang]").forEach(function (a) {
    a.addEventListener("click", function (e) { e.stopPropagation(); });
  });
  form.hidden = false;
  out.hidden = false;
  load();
  // For the tests and the benchmark: the last state's texts, read from the page's own DOM.
  window.fwBuilder = { fragment: function () { return fragment(readForm()); } };
})();
