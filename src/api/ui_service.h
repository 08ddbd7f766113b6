// UiService: the web UI's side of `nsradar serve`: its files at "/" and
// "/ui/...", and sign-in sessions that let the browser use the API without
// holding the key (docs/ui.md).
//
//   POST /ui/session   body: the API key (text/plain). 204 and an HttpOnly,
//                      SameSite=Strict session cookie; 403 for a bad key.
//   GET  /ui/session   204 when the cookie's session is live, else 401.
//   POST /ui/signout   ends the session and clears the cookie.
//
// The key travels only in that POST body, never in a URL, a cookie or a
// log. Cross-site request forgery: the cookie is SameSite=Strict, and every
// state-changing request carried by it (any method but GET/HEAD, sign-in
// and sign-out included) must also come with an Origin equal to the
// server's own (http[s]://Host), which browsers always send on such
// requests and scripts of other sites cannot forge. Every UI answer carries
// a Content-Security-Policy without inline script or framing.
// Thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "api/api_keys.h"
#include "api/request.h"
#include "api/sessions.h"

namespace nsradar::api {

// The session cookie's name.
inline constexpr std::string_view kSessionCookie = "nsradar_session";

// True for the paths UiService answers.
bool IsUiPath(std::string_view path);

class UiService {
 public:
  // Borrows `keys`, which must outlive it.
  UiService(const ApiKeys* keys, SessionOptions options = {}) : keys_(keys), sessions_(options) {}

  // Answers a request whose path IsUiPath.
  Response Handle(const Request& req);

  // The key digest of the request's session cookie, when its session is
  // live and its key still known; else nullopt.
  std::optional<KeyDigest> SessionKey(const Request& req);

  // True when the request may change state on the strength of its cookie:
  // GET and HEAD always; other methods only with an Origin equal to the
  // server's.
  static bool OriginAllowed(const Request& req);

  SessionTable& sessions() { return sessions_; }

 private:
  Response SignIn(const Request& req);
  Response SignOut(const Request& req);

  const ApiKeys* keys_;
  SessionTable sessions_;
};

// The security headers every UI answer carries (CSP, nosniff, framing,
// referrer), appended to `r`.
void AddUiSecurityHeaders(Response* r);

}  // namespace nsradar::api
