# Shell functions of contrib/demo.sh and contrib/demo-stop.sh (sourced).

# /proc/self/mounts writes a space in a path as \040.
is_mounted() {
	grep -qF " $(printf '%s' "$1" | sed 's/ /\\040/g') fuse" /proc/self/mounts
}

# True while the process exists and is not a zombie.
running() {
	state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) && [ "$state" != Z ]
}

# Wait up to $2 tenths of a second for the shell condition $1.
wait_until() {
	tries=0
	until eval "$1"; do
		tries=$((tries + 1))
		[ $tries -le "$2" ] || return 1
		sleep 0.1
	done
}
