# lock — uk
