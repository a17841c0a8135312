# lock — en
