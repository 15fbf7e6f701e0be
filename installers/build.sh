#!/usr/bin/env bash
# Builds the CogForge Studio desktop package with jpackage: a jlink-trimmed runtime + the app + its natives for this OS.
#   installers/build.sh [app-image|deb|rpm|all]   (default: app-image)
# Output in installers/target/dist/. Uses the jars that `./mvnw package` leaves in app/target (built if missing).
# GPU variant: build with `./mvnw -Pcuda package` first (CUDA libtorch natives, ~460 MB more) and pass COGFORGE_VARIANT=gpu.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
. "$root/scripts/find-jdk.sh"
cogforge_find_jdk
type="${1:-app-image}"
variant="${COGFORGE_VARIANT:-cpu}"
target="$here/target"
input="$target/input"
dist="$target/dist"
runtime="$target/runtime"

classpath_file="$root/app/target/classpath.txt"
app_jar=$(ls "$root"/app/target/cogforge-app-*.jar 2>/dev/null | grep -v -- '-sources' | head -n1 || true)
if [ ! -f "$classpath_file" ] || [ -z "$app_jar" ]; then
  echo "app jars missing: run ./mvnw -DskipTests package first" >&2; exit 1
fi
version=$(sed -n 's/.*<version>\([0-9][0-9.]*\)\(-SNAPSHOT\)\{0,1\}<\/version>.*/\1/p' "$root/pom.xml" | head -n1)

rm -rf "$input" "$runtime" "$dist"
mkdir -p "$input" "$dist"
cp "$app_jar" "$input/cogforge-app.jar"
tr ':' '\n' < "$classpath_file" | while read -r jar; do
  [ -n "$jar" ] && cp "$jar" "$input/"
done

"$JAVA_HOME/bin/java" "$here/src/IconGenerator.java" "$target/cogforge.png" 256

# java.desktop: JavaFX's Swing interop and JavaCV; jdk.crypto.ec: TLS to the Hugging Face Hub; jdk.unsupported: JavaCPP.
"$JAVA_HOME/bin/jlink" --strip-debug --no-header-files --no-man-pages --compress=zip-6 \
  --add-modules java.base,java.desktop,java.logging,java.xml,java.naming,java.management,java.net.http,java.sql,java.scripting,jdk.unsupported,jdk.crypto.ec,jdk.zipfs,jdk.localedata \
  --output "$runtime"

name="CogForgeStudio"
common=(--name "$name" --app-version "$version" --vendor "CogForge" --input "$input" --main-jar cogforge-app.jar
        --main-class dev.cogforge.app.Main --runtime-image "$runtime" --dest "$dist"
        --java-options "--enable-native-access=ALL-UNNAMED" --java-options "-Xss4m"
        --java-options "-Dcogforge.variant=$variant" --java-options "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"
        --description "Fine-tune CogVideoX video models with LoRA" --icon "$target/cogforge.png")

build() {
  local t="$1"
  case "$t" in
    app-image) "$JAVA_HOME/bin/jpackage" --type app-image "${common[@]}" ;;
    deb|rpm)
      "$JAVA_HOME/bin/jpackage" --type "$t" "${common[@]}" --linux-shortcut --linux-menu-group "Graphics" \
        --linux-app-category graphics --file-associations "$here/packaging/linux/cogforge-project.properties" \
        --linux-package-deps "libgtk-3-0, libgl1" ;;
    *) echo "unknown package type: $t (app-image, deb, rpm, all)" >&2; exit 2 ;;
  esac
}

if [ "$type" = all ]; then
  build app-image
  command -v dpkg-deb >/dev/null && build deb
  command -v rpmbuild >/dev/null && build rpm
else
  build "$type"
fi
du -sh "$dist"/* 2>/dev/null
