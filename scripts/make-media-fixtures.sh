#!/bin/sh
# Regenerates the simulator's tiny download fixtures in src/simulator/media/ (committed; the simulator
# never needs ffmpeg at run time). Each is 1 s of a 64×36 test pattern and/or a 440 Hz tone, a few KB.
set -eu
out="$(dirname "$0")/../src/simulator/media"
mkdir -p "$out"
video='testsrc2=size=64x36:rate=10:duration=1'
tone='sine=frequency=440:sample_rate=8000:duration=1'
ff() { ffmpeg -hide_banner -loglevel error -y -fflags +bitexact "$@"; }

# H264 in MP4, moov before mdat so it starts playing at once (the file starts with an ftyp box).
ff -f lavfi -i "$video" -f lavfi -i "$tone" -c:v libx264 -preset veryslow -crf 40 -pix_fmt yuv420p \
  -c:a aac -b:a 16k -ac 1 -movflags +faststart -map_metadata -1 -flags:v +bitexact -flags:a +bitexact \
  "$out/h264.mp4"
# VP8 and VP9 in WebM, vorbis audio (what Dyte pairs with them).
ff -f lavfi -i "$video" -f lavfi -i "$tone" -c:v libvpx -b:v 40k -c:a libvorbis -q:a 0 -ac 1 \
  -map_metadata -1 "$out/vp8.webm"
ff -f lavfi -i "$video" -f lavfi -i "$tone" -c:v libvpx-vp9 -b:v 40k -c:a libvorbis -q:a 0 -ac 1 \
  -map_metadata -1 "$out/vp9.webm"
# The separate audio files of `audio_config`: AAC (M4A), MP3, and vorbis (Ogg) for WebM recordings.
ff -f lavfi -i "$tone" -c:a aac -b:a 16k -ac 1 -map_metadata -1 -flags:a +bitexact "$out/audio.m4a"
ff -f lavfi -i "$tone" -c:a libmp3lame -b:a 16k -ac 1 -map_metadata -1 -write_xing 0 "$out/audio.mp3"
ff -f lavfi -i "$tone" -c:a libvorbis -q:a 0 -ac 1 -map_metadata -1 "$out/audio.ogg"
ls -l "$out"
