/* Momentum's wallet glue, the only script of our own.
 * Sign-in (Sign In With Solana): wallet-standard `solana:signIn` where a wallet
 * offers it, else a Phantom-style provider's `signMessage`.
 * Trades, stakes and contributions: the server hands over a transaction; wallet-standard
 * `solana:signTransaction` adds the member's signature (bytes in, bytes out)
 * and the signed bytes go back to the server, which co-signs and sends.
 * Without a wallet it explains why. */
(function () {
  "use strict";

  var ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  var standardWallets = [];

  function base58(bytes) {
    var digits = [0];
    for (var i = 0; i < bytes.length; i++) {
      var carry = bytes[i];
      for (var j = 0; j < digits.length; j++) {
        carry += digits[j] << 8;
        digits[j] = carry % 58;
        carry = (carry / 58) | 0;
      }
      while (carry > 0) { digits.push(carry % 58); carry = (carry / 58) | 0; }
    }
    var out = "";
    for (var k = 0; k < bytes.length && bytes[k] === 0; k++) out += "1";
    for (var d = digits.length - 1; d >= 0; d--) out += ALPHABET[digits[d]];
    return out;
  }

  // Wallet-standard discovery: wallets register themselves through these events.
  function registerWallet(wallet) {
    if (wallet && wallet.features && standardWallets.indexOf(wallet) < 0) standardWallets.push(wallet);
  }
  var api = Object.freeze({ register: function () {
    for (var i = 0; i < arguments.length; i++) registerWallet(arguments[i]);
    return function () {};
  } });
  window.addEventListener("wallet-standard:register-wallet", function (event) {
    try { event.detail(api); } catch (e) { /* a broken wallet must not break sign-in */ }
  });
  try {
    window.dispatchEvent(new CustomEvent("wallet-standard:app-ready", { detail: api }));
  } catch (e) { /* old browsers */ }

  function legacyProvider() {
    var candidates = [
      window.phantom && window.phantom.solana,
      window.solflare,
      window.backpack,
      window.solana
    ];
    for (var i = 0; i < candidates.length; i++) {
      if (candidates[i] && typeof candidates[i].signMessage === "function") return candidates[i];
    }
    return null;
  }

  function signInWallet() {
    for (var i = 0; i < standardWallets.length; i++) {
      var f = standardWallets[i].features;
      if (f["solana:signIn"] && f["standard:connect"]) return standardWallets[i];
    }
    return null;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function nonceUrl() {
    var button = document.getElementById("sign-in-button");
    return (button && button.dataset.nonceUrl) || "/auth/nonce";
  }

  function verifyUrl() {
    var button = document.getElementById("sign-in-button");
    return (button && button.dataset.verifyUrl) || "/auth/verify";
  }

  function fetchChallenge(address) {
    return fetch(nonceUrl() + "?wallet=" + encodeURIComponent(address), {
      headers: { Accept: "application/json" }, credentials: "same-origin"
    }).then(readJson);
  }

  function readJson(response) {
    return response.json().then(function (body) {
      if (!response.ok) throw new Error((body.error && body.error.message) || "Sign-in failed.");
      return body;
    });
  }

  // A page shared by every signed-out visitor carries no CSRF token; the
  // challenge brings one (and the session it belongs to).
  function verify(address, message, signatureBytes, next, token) {
    // URLSearchParams, not FormData: multipart bodies turn the message's
    // line feeds into CRLF, and the signature covers the exact bytes.
    var form = new URLSearchParams();
    form.append("wallet", address);
    form.append("message", message);
    form.append("signature", base58(signatureBytes));
    form.append("next", next || "");
    return fetch(verifyUrl(), {
      method: "POST", body: form, credentials: "same-origin",
      headers: { "X-CSRFToken": token || csrfToken(), Accept: "application/json" }
    }).then(readJson);
  }

  function withStandardSignIn(wallet, next) {
    return wallet.features["standard:connect"].connect().then(function (connected) {
      var account = (connected.accounts || wallet.accounts)[0];
      return fetchChallenge(account.address).then(function (c) {
        return wallet.features["solana:signIn"].signIn({
          domain: c.domain, address: c.address, statement: c.statement, uri: c.uri,
          version: c.version, chainId: c.chainId, nonce: c.nonce,
          issuedAt: c.issuedAt, expirationTime: c.expirationTime
        }).then(function (outputs) {
          var out = outputs[0];
          var message = new TextDecoder().decode(out.signedMessage);
          return verify(account.address, message, out.signature, next, c.csrfToken);
        });
      });
    });
  }

  function withSignMessage(provider, next) {
    return provider.connect().then(function (connected) {
      var key = (connected && connected.publicKey) || provider.publicKey;
      var address = key.toBase58 ? key.toBase58() : String(key);
      return fetchChallenge(address).then(function (c) {
        return provider.signMessage(new TextEncoder().encode(c.message), "utf8").then(function (signed) {
          var signature = signed.signature || signed;
          return verify(address, c.message, new Uint8Array(signature), next, c.csrfToken);
        });
      });
    });
  }

  function explain(text) {
    var dialog = document.getElementById("wallet-dialog");
    document.getElementById("wallet-dialog-text").textContent = text;
    if (dialog && dialog.showModal) dialog.showModal(); else window.alert(text);
  }

  function startSignIn(event) {
    var trigger = event.currentTarget;
    event.preventDefault();
    var wallet = signInWallet();
    var provider = legacyProvider();
    if (!wallet && !provider) {
      explain("No Solana wallet was found in this browser. Install Phantom, Solflare or Backpack, " +
        "unlock it, and reload this page to sign in.");
      return;
    }
    var next = trigger.dataset.next || window.location.pathname;
    trigger.setAttribute("aria-busy", "true");
    var attempt = wallet ? withStandardSignIn(wallet, next) : withSignMessage(provider, next);
    attempt.then(function (result) {
      window.location.assign(result.redirect || "/");
    }).catch(function (error) {
      trigger.removeAttribute("aria-busy");
      explain("Sign-in did not complete: " + (error && error.message ? error.message : error));
    });
  }

  function describeWallets() {
    var status = document.getElementById("wallet-status");
    if (!status) return;
    var wallet = signInWallet();
    var provider = legacyProvider();
    status.dataset.state = wallet || provider ? "found" : "missing";
    status.textContent = wallet ? "Wallet found: " + wallet.name + ". Click below to sign in." :
      provider ? "Wallet found. Click below to sign in." :
      "No Solana wallet was found in this browser. Install one of the wallets below to sign in.";
  }

  // Copy buttons (mint addresses): <button data-copy="text">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1200);
    });
  });


  // --- trading ---------------------------------------------------------------

  function bytesFromBase64(text) {
    var raw = atob(text), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function base64FromBytes(bytes) {
    var raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw);
  }

  function transactionWallet() {
    for (var i = 0; i < standardWallets.length; i++) {
      var f = standardWallets[i].features;
      if (f["solana:signTransaction"] && f["standard:connect"]) return standardWallets[i];
    }
    return null;
  }

  // The signed transaction's outcome goes where the button says (the trade panel's box by default);
  // events the server names in HX-Trigger (stake-changed) are passed on, as htmx would.
  function showResult(button, reply) {
    var target = document.querySelector(button.dataset.resultTarget || "#trade-result");
    if (target) {
      target.innerHTML = reply.html;
      if (window.htmx) window.htmx.process(target);
      tickQuotes();
    }
    var names = (reply.trigger || "").split(",");
    for (var i = 0; i < names.length; i++) {
      var name = names[i].trim();
      if (name) document.body.dispatchEvent(new CustomEvent(name, { bubbles: true }));
    }
  }

  function signTrade(button) {
    var wallet = transactionWallet();
    if (!wallet) {
      return Promise.reject(new Error("No wallet here can sign transactions (wallet-standard solana:signTransaction). " +
        "Unlock Phantom, Solflare or Backpack and try again."));
    }
    return wallet.features["standard:connect"].connect().then(function (connected) {
      var accounts = (connected && connected.accounts) || wallet.accounts;
      var account = null;
      for (var i = 0; i < accounts.length; i++) if (accounts[i].address === button.dataset.wallet) account = accounts[i];
      if (!account) throw new Error("Switch your wallet to the account you signed in with (" + button.dataset.wallet + ").");
      return wallet.features["solana:signTransaction"].signTransaction({
        account: account, chain: button.dataset.chain, transaction: bytesFromBase64(button.dataset.transaction)
      });
    }).then(function (outputs) {
      var form = new URLSearchParams();
      form.append("signed", base64FromBytes(outputs[0].signedTransaction));
      return fetch(button.dataset.submitUrl, {
        method: "POST", body: form, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" }
      });
    }).then(function (response) {
      return response.text().then(function (html) { return { html: html, trigger: response.headers.get("HX-Trigger") }; });
    });
  }

  // A firm quote's countdown: the server says how many seconds it has left when it renders it,
  // so the deadline is counted from when the fragment arrived (the member's clock may be off).
  function quoteOf(element) {
    return element.closest ? element.closest("[data-quote]") : null;
  }

  function quoteExpired(quote) {
    return !!(quote && quote.dataset.deadline && Date.now() >= Number(quote.dataset.deadline));
  }

  function tickQuotes() {
    var quotes = document.querySelectorAll("[data-quote]");
    for (var i = 0; i < quotes.length; i++) {
      var quote = quotes[i];
      if (!quote.dataset.deadline) quote.dataset.deadline = String(Date.now() + Number(quote.dataset.expiresIn || 0) * 1000);
      var left = Math.max(0, Math.ceil((Number(quote.dataset.deadline) - Date.now()) / 1000));
      var countdown = quote.querySelector("[data-quote-countdown]");
      if (countdown) {
        countdown.hidden = false;
        countdown.textContent = left > 0 ? " (" + left + " s left)" : " (expired)";
      }
      if (left <= 0 && !quote.classList.contains("quote-expired")) {
        quote.classList.add("quote-expired");
        var button = quote.querySelector("[data-trade-sign]");
        if (button && !button.getAttribute("aria-busy")) {
          button.disabled = true;
          button.textContent = "Quote expired: ask for a new one";
        }
      }
    }
  }
  setInterval(tickQuotes, 1000);

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-trade-sign]") : null;
    if (!button) return;
    event.preventDefault();
    if (quoteExpired(quoteOf(button))) {  // never ask the wallet to sign what the server would refuse
      tickQuotes();
      explain("This quote has expired, so your wallet was not asked to sign it. Ask for a new quote.");
      return;
    }
    button.setAttribute("aria-busy", "true");
    button.textContent = "Waiting for your wallet…";
    signTrade(button).then(function (reply) { showResult(button, reply); }).catch(function (error) {
      button.removeAttribute("aria-busy");
      button.textContent = "Sign with your wallet";
      explain("Nothing was sent: " + (error && error.message ? error.message : error));
    });
  });

  // A max button in the trade box picks its side and fills the amount, then asks for the preview as typing does.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-fill-amount]") : null;
    var form = button && button.closest("form");
    if (!form) return;
    var side = form.querySelector('input[name="side"][value="' + button.dataset.fillSide + '"]');
    var amount = form.querySelector('input[name="amount"]');
    if (side) side.checked = true;
    if (!amount) return;
    amount.value = button.dataset.fillAmount;
    amount.dispatchEvent(new Event("input", { bubbles: true }));
  });

  function bind() {
    var triggers = document.querySelectorAll("#sign-in-button, [data-sign-in]");
    for (var i = 0; i < triggers.length; i++) {
      if (!triggers[i].dataset.bound) {
        triggers[i].dataset.bound = "1";
        triggers[i].addEventListener("click", startSignIn);
      }
    }
    describeWallets();
  }

  document.addEventListener("DOMContentLoaded", bind);
  document.addEventListener("htmx:load", bind);
  document.addEventListener("htmx:load", tickQuotes);
})();
