"""Files in, validated records out: readers per format and the validation that names each problem."""
