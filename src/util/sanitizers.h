// Whether this build runs under a sanitizer (ASan, TSan, MSan): tests whose
// figures a sanitizer's shadow memory and slower code distort (peak memory,
// full-scale days) skip themselves there and run in Release builds.
#pragma once

namespace nsradar {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizedBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
inline constexpr bool kSanitizedBuild = true;
#else
inline constexpr bool kSanitizedBuild = false;
#endif
#else
inline constexpr bool kSanitizedBuild = false;
#endif

}  // namespace nsradar
