#include "api/ui_service.h"

#include <string>

#include "api/cookie.h"
#include "api/internal/params.h"
#include "api/ui_assets.h"

namespace nsradar::api {
namespace {

// No inline script or style, nothing from elsewhere, no framing, no plugins.
constexpr std::string_view kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

bool IsReadMethod(std::string_view method) { return method == "GET" || method == "HEAD"; }

bool AcceptsGzip(std::string_view accept_encoding) {
  size_t at = accept_encoding.find("gzip");
  if (at == std::string_view::npos) return false;
  std::string_view rest = accept_encoding.substr(at + 4);
  size_t comma = rest.find(',');
  std::string_view params = rest.substr(0, comma);
  // "gzip;q=0" (with optional spaces and zeros) refuses it.
  std::string compact;
  for (char c : params) {
    if (c != ' ') compact += c;
  }
  return !(compact.starts_with(";q=0") && compact.find_first_of("123456789") == std::string::npos);
}

Response NoContent(int status) {
  Response r;
  r.status = status;
  r.content_type = "text/plain";
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

std::string SessionCookie(std::string_view id, long max_age, bool tls) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(id) +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (tls) c += "; Secure";
  return c;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

Response ServeAsset(const Request& req) {
  if (!IsReadMethod(req.method)) return ErrorResponse(405, "use GET");
  for (const UiAsset& a : UiAssets()) {
    if (a.path != req.path) continue;
    Response r;
    r.content_type = std::string(a.content_type);
    r.headers.emplace_back("ETag", std::string(a.etag));
    // Revalidated on every load (a 304 costs one round trip on loopback),
    // so a new binary's UI is never mixed with an old one's files.
    r.headers.emplace_back("Cache-Control", "no-cache");
    r.headers.emplace_back("Vary", "Accept-Encoding");
    if (req.if_none_match == a.etag) {
      r.status = 304;
    } else if (AcceptsGzip(req.accept_encoding)) {
      r.body = std::string(a.gzip);
      r.headers.emplace_back("Content-Encoding", "gzip");
    } else {
      r.body = std::string(a.body);
    }
    return r;
  }
  return ErrorResponse(404, "no such file: " + req.path);
}

}  // namespace

bool IsUiPath(std::string_view path) { return path == "/" || path == "/ui" || path.starts_with("/ui/"); }

void AddUiSecurityHeaders(Response* r) {
  r->headers.emplace_back("Content-Security-Policy", std::string(kCsp));
  r->headers.emplace_back("X-Content-Type-Options", "nosniff");
  r->headers.emplace_back("X-Frame-Options", "DENY");
  r->headers.emplace_back("Referrer-Policy", "no-referrer");
  r->headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
}

bool UiService::OriginAllowed(const Request& req) {
  if (IsReadMethod(req.method)) return true;
  if (req.origin.empty() || req.host.empty()) return false;
  return req.origin == (req.tls ? "https://" : "http://") + req.host;
}

std::optional<KeyDigest> UiService::SessionKey(const Request& req) {
  auto id = FindCookie(req.cookie, kSessionCookie);
  if (!id) return std::nullopt;
  auto key = sessions_.Find(*id);
  if (!key || !keys_->Contains(*key)) return std::nullopt;
  return key;
}

Response UiService::SignIn(const Request& req) {
  if (!OriginAllowed(req)) return ErrorResponse(403, "sign-in must come from this server's own pages (Origin)");
  KeyDigest digest;
  if (!keys_->Find(TrimSpace(req.body), &digest)) return ErrorResponse(403, "unknown API key");
  std::string id = sessions_.Create(digest);
  Response r = NoContent(204);
  r.headers.emplace_back("Set-Cookie", SessionCookie(id, sessions_.options().lifetime.count(), req.tls));
  return r;
}

Response UiService::SignOut(const Request& req) {
  if (!OriginAllowed(req)) return ErrorResponse(403, "sign-out must come from this server's own pages (Origin)");
  if (auto id = FindCookie(req.cookie, kSessionCookie)) sessions_.Erase(*id);
  Response r = NoContent(204);
  r.headers.emplace_back("Set-Cookie", SessionCookie("", 0, req.tls));
  return r;
}

Response UiService::Handle(const Request& req) {
  Response r;
  if (req.path == "/ui/session") {
    if (req.method == "POST") {
      r = SignIn(req);
    } else if (IsReadMethod(req.method)) {
      r = NoContent(SessionKey(req) ? 204 : 401);
    } else {
      r = ErrorResponse(405, "use GET or POST");
    }
  } else if (req.path == "/ui/signout") {
    r = req.method == "POST" ? SignOut(req) : ErrorResponse(405, "use POST");
  } else {
    r = ServeAsset(req);
  }
  AddUiSecurityHeaders(&r);
  return r;
}

}  // namespace nsradar::api
